"""What the RADIUS handlers ask the writer to make durable: one dataclass
per kind of write, in the units the statements take (see ``statements``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from lastmile.aaa.state import LeaseInfo


@dataclass(slots=True)
class Allocation:
    customer_id: int
    pool_id: int
    address: str
    mac: str
    remote_id: str
    circuit_id: str
    nas_id: int
    expires_at: datetime | None
    prefix_length: int = 0  # an IPv6 prefix starting at ``address``; 0: an IPv4 address


@dataclass(slots=True)
class Renewal:
    lease_id: int
    expires_at: datetime | None
    mac: str
    remote_id: str
    circuit_id: str
    nas_id: int
    at: float  # the node's clock; a later lease release from accounting is checked against it


@dataclass(slots=True)
class AcctRecord:
    """One Accounting-Request's session row change.  Times are Unix epoch
    seconds (converted in SQL, cheaper than building datetimes per packet)."""

    nas_id: int
    session_id: str
    customer_id: int | None
    login: str
    address: str | None
    mac: str
    nas_port: str
    started_at: float
    updated_at: float
    stopped_at: float | None
    session_time_s: int
    octets_in: int
    octets_out: int
    terminate_cause: str
    interim_interval_s: int
    is_start: bool = False
    ipv6_prefix: str = ""  # Framed-IPv6-Prefix as the NAS reported it
    delegated_prefix: str = ""  # Delegated-IPv6-Prefix as the NAS reported it


@dataclass(slots=True)
class LeaseExpiry:
    """An accounting packet's change to its dynamic lease (see
    ``AccountingHandler._lease_expiry_change``): extend it (a running session) or,
    after Stop, shorten it to the hold time.  ``at`` is the packet's event time."""

    lease_id: int
    expires_at: float
    stop: bool
    at: float


@dataclass(slots=True)
class NasReset:
    """Accounting-On/Off: the NAS rebooted (or stops accounting), none of its
    sessions that started before ``at`` survive.  The result is the list of
    sessions it closed, as ``ClosedSession``."""

    nas_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class ClosedSession:
    address: str | None
    customer_id: int | None
    session_id: str = ""


@dataclass(slots=True)
class EquipmentChange:
    """An Interim-Update came from other equipment than its lease was given
    to: record an access change (reason ``equipment_changed``) for the
    session and defer the worker's ``aaa.apply_access`` job, which
    disconnects it.  Written in the batch after the session rows."""

    nas_id: int
    session_id: str
    detail: str


Op = Allocation | Renewal | AcctRecord | NasReset | EquipmentChange


def utc(epoch: float) -> datetime:
    """An epoch time as the aware datetime the writer's ops carry."""
    return datetime.fromtimestamp(epoch, UTC)


# Allocation results: ("ok", lease) | ("exists", lease) | ("taken", None)
AllocResult = tuple[str, LeaseInfo | None]
