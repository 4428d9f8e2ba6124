"""The access policy: one rule from a customer's access state to a typed
answer, rendered by every path.

Three paths need it: the UDP server (``aaa/access.py``, state from memory),
the ``rlm_rest`` endpoint (``aaa/rest.py``, state read with the ORM for one
request) and the CoA/Disconnect job (``aaa/apply.py``, state read for a batch
of customers).  Each fills a ``CustomerAccess`` and asks this module; the
answer is an ``Accept`` or a ``Reject`` (or, for a session already online, an
``AccessTarget``), and the attributes on the wire are rendered from it by
``udp_attributes`` / ``rest_reply`` / ``coa_attributes``, which take their
vendor attributes from ``radius/profiles.py``.  So the same state gives the
same attributes everywhere (``tests/aaa/test_policy.py``,
``tests/interop/test_policy_parity.py``).

Nothing here touches the database or the network.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from lastmile.radius import codec
from lastmile.radius.profiles import Attribute, Rate, encode, profile, vendor_attributes

if TYPE_CHECKING:
    from lastmile.aaa.decision import Credentials
    from lastmile.aaa.state import LeaseInfo


class Refusal(StrEnum):
    UNKNOWN_LOGIN = "unknown_login"
    WRONG_PASSWORD = "wrong_password"
    DISABLED = "disabled"
    NO_MONEY = "no_money"
    NO_ADDRESS = "no_address"
    EQUIPMENT_MISMATCH = "equipment_mismatch"
    UNKNOWN_PORT = "unknown_port"
    ALREADY_ONLINE = "already_online"


# Reply-Message texts: read by NAS logs and subscribers' routers, kept in English.
REPLY_MESSAGES: dict[Refusal, str] = {
    Refusal.UNKNOWN_LOGIN: "Unknown login",
    Refusal.WRONG_PASSWORD: "Wrong password",
    Refusal.DISABLED: "Account disabled",
    Refusal.NO_MONEY: "No paid subscription: top up your balance",
    Refusal.NO_ADDRESS: "No free address in the pool",
    Refusal.EQUIPMENT_MISMATCH: "Equipment does not match the lease",
    Refusal.UNKNOWN_PORT: "Option 82 not understood: unknown switch port format",
    Refusal.ALREADY_ONLINE: "Already online: only {limit} session(s) allowed",
}


def reply_message(refusal: Refusal, limit: int = 0) -> str:
    """The Reply-Message of a refusal (the Simultaneous-Use one names the limit)."""
    return REPLY_MESSAGES[refusal].format(limit=limit)


class Access(StrEnum):
    """What the policy gives a customer now."""

    PAID = "paid"  # a normal address and the tariff's speed
    GUEST = "guest"  # the guest pool / restricted profile only
    NONE = "none"  # refused


@dataclass(frozen=True, slots=True)
class PolicyConfig:
    """The operator's timers and the split rule (``LASTMILE_RADIUS_*``)."""

    session_timeout_s: int = 86400
    guest_session_timeout_s: int = 600
    interim_interval_s: int = 300
    lease_time_s: int = 86400
    split_rate: bool = True

    @classmethod
    def from_settings(cls, conf: Any) -> PolicyConfig:
        return cls(
            session_timeout_s=conf.radius_session_timeout_s,
            guest_session_timeout_s=conf.radius_guest_session_timeout_s,
            interim_interval_s=conf.radius_interim_interval_s,
            lease_time_s=conf.lease_time_s,
            split_rate=conf.radius_split_rate,
        )


# CustomerAccess and Accept are built for every Access-Accept of the UDP
# server: plain slotted classes (a frozen dataclass's __init__ costs more).
@dataclass(slots=True)
class CustomerAccess:
    """A customer's access state, as each path reads it.

    ``paid``: an active subscription whose period has not ended; ``rate``: its
    tariff's speed (None without one); ``addresses``: the customer's non-guest
    IPv4 addresses, across which the speed is split."""

    customer_id: int
    is_active: bool
    paid: bool
    rate: Rate | None = None
    addresses: int = 1


@dataclass(frozen=True, slots=True)
class AccessTarget:
    """Where a customer's sessions belong now (for a session already online)."""

    access: Access
    rate: Rate | None = None


@dataclass(slots=True)
class Accept:
    address: str
    is_guest: bool
    rate: Rate | None
    session_timeout_s: int
    interim_interval_s: int
    lease_time_s: int  # how long the address is leased (renewed on re-auth)
    #: (attribute, prefix): ("framed", "2001:db8:1::/64"), ("delegated", …).
    ipv6_prefixes: tuple[tuple[str, str], ...] = ()
    reply_message: str = ""

    @property
    def profile(self) -> Access:
        return Access.GUEST if self.is_guest else Access.PAID


@dataclass(frozen=True, slots=True)
class Reject:
    reason: Refusal
    reply_message: str
    detail: str = ""


# -- the rule -----------------------------------------------------------------------
def access_of(state: CustomerAccess) -> Access:
    """Inactive: refused; paid: normal; otherwise guest (where a guest pool exists)."""
    return classify(state.is_active, state.paid)


def classify(is_active: bool, paid: bool) -> Access:
    """``access_of`` for callers that hold the two facts (the UDP hot path)."""
    if not is_active:
        return Access.NONE
    return Access.PAID if paid else Access.GUEST


def rate_of(state: CustomerAccess, config: PolicyConfig) -> Rate | None:
    """The speed of one address: the tariff's, split across the customer's addresses."""
    if state.rate is None:
        return None
    return state.rate.split(max(1, state.addresses)) if config.split_rate else state.rate


def target(state: CustomerAccess, config: PolicyConfig) -> AccessTarget:
    access = access_of(state)
    return AccessTarget(access, rate_of(state, config) if access == Access.PAID else None)


def lease_time(is_guest: bool, config: PolicyConfig) -> int:
    """A guest address is leased for two guest sessions; a normal one for ``lease_time_s``."""
    return config.guest_session_timeout_s * 2 if is_guest else config.lease_time_s


def accept(
    state: CustomerAccess,
    config: PolicyConfig,
    *,
    address: str,
    is_guest: bool,
    ipv6_prefixes: Mapping[str, str] | None = None,
) -> Accept:
    """The Accept for a customer the decision let in, with ``address``.

    Session-Timeout is not tied to the end of the paid period: the boundary's
    billing run moves a subscriber who does not renew (``aaa/apply.py``), and
    one who does keeps the session (docs/architecture.md, "Period boundaries")."""
    return Accept(
        address=address,
        is_guest=is_guest,
        rate=None if is_guest else rate_of(state, config),
        session_timeout_s=max(
            1, config.guest_session_timeout_s if is_guest else config.session_timeout_s
        ),
        interim_interval_s=config.interim_interval_s,
        lease_time_s=lease_time(is_guest, config),
        ipv6_prefixes=tuple((use, ipv6_prefixes[use]) for use in IPV6_USES if use in ipv6_prefixes)
        if ipv6_prefixes
        else (),
    )


def reject(reason: Refusal, *, limit: int = 0, detail: str = "") -> Reject:
    return Reject(reason, reply_message(reason, limit), detail)


IPV6_USES = ("framed", "delegated")
_IPV6_ATTRIBUTES = {
    "framed": ("Framed-IPv6-Prefix", codec.FRAMED_IPV6_PREFIX),
    "delegated": ("Delegated-IPv6-Prefix", codec.DELEGATED_IPV6_PREFIX),
}


# -- rendering ----------------------------------------------------------------------
def reply_items(result: Accept | Reject, vendor: str) -> list[tuple[str, str | int]]:
    """The reply attributes by dictionary name, in wire order: what both the
    UDP Accept/Reject and the rlm_rest reply carry."""
    if isinstance(result, Reject):
        return [("Reply-Message", result.reply_message)]
    items: list[tuple[str, str | int]] = [("Framed-IP-Address", result.address)]
    for use, prefix in result.ipv6_prefixes:
        items.append((_IPV6_ATTRIBUTES[use][0], prefix))
    items += [
        ("Session-Timeout", result.session_timeout_s),
        ("Acct-Interim-Interval", result.interim_interval_s),
    ]
    items += [(a.name, a.value) for a in _vendor(result, vendor)]
    if result.reply_message:
        items.append(("Reply-Message", result.reply_message))
    return items


def _vendor(result: Accept, vendor: str) -> list[Attribute]:
    return vendor_attributes(vendor, result.rate, is_guest=result.is_guest)


@lru_cache(maxsize=4096)
def _vendor_bytes(vendor: str, rate: Rate | None, is_guest: bool) -> bytes:
    """The encoded vendor attributes; few distinct (tariff speed, split) values
    exist, so the UDP server encodes each once."""
    return encode(vendor_attributes(vendor, rate, is_guest=is_guest))


def udp_attributes(result: Accept | Reject, vendor: str) -> bytes:
    """The attributes of the Access-Accept or Access-Reject."""
    if isinstance(result, Reject):
        return codec.attr_text(codec.REPLY_MESSAGE, result.reply_message)
    out = codec.attr(codec.FRAMED_IP_ADDRESS, ipaddress.IPv4Address(result.address).packed)
    for use, prefix in result.ipv6_prefixes:
        out += codec.attr_ipv6_prefix(_IPV6_ATTRIBUTES[use][1], ipaddress.IPv6Network(prefix))
    out += codec.attr_int(codec.SESSION_TIMEOUT, result.session_timeout_s)
    out += codec.attr_int(codec.ACCT_INTERIM_INTERVAL, result.interim_interval_s)
    out += _vendor_bytes(vendor, result.rate, result.is_guest)
    if result.reply_message:
        out += codec.attr_text(codec.REPLY_MESSAGE, result.reply_message)
    return out


def rest_response(result: Accept | Reject, vendor: str) -> tuple[int, dict[str, Any]]:
    """(HTTP status, rlm_rest attribute map): 200 and ``control:Auth-Type :=
    Accept`` for an Accept, 401 (rlm_rest: reject, body still read) for a Reject."""
    body: dict[str, Any] = {}
    if isinstance(result, Accept):
        body["control:Auth-Type"] = "Accept"
    for name, value in reply_items(result, vendor):
        body[f"reply:{name}"] = value
    return (401 if isinstance(result, Reject) else 200), body


def coa_attributes(state: AccessTarget, vendor: str) -> bytes | None:
    """The CoA-Request attributes that move a running session to ``state``,
    or None when the vendor cannot do it live (then: Disconnect).  A paid
    session gets its speed; a move to the guest profile is a CoA only where
    the vendor profile applies it live (``Profile.live_guest``)."""
    if state.access == Access.PAID:
        return _vendor_bytes(vendor, state.rate, False)
    if state.access == Access.GUEST and profile(vendor).live_guest:
        return _vendor_bytes(vendor, None, True)
    return None


#: ``lease_renewal``'s answer when the lease needs no write.
NO_RENEWAL: tuple[bool, float | None] = (False, None)


def lease_renewal(
    lease: LeaseInfo, creds: Credentials, *, now: float, lease_time: int
) -> tuple[bool, float | None]:
    """Whether a re-auth writes its lease, and the new expiry (epoch seconds;
    None keeps a static lease's).  A dynamic lease is extended when less than
    half of it is left, and the equipment is recorded on a lease that has
    none; otherwise no write, so a re-auth usually costs no database write.
    The one rule of the UDP server and the ``rlm_rest`` endpoint."""
    fills_equipment = bool(
        (creds.mac and not lease.mac) or (creds.remote_id and not lease.remote_id)
    )
    if lease.kind == "static":
        return (True, None) if fills_equipment else NO_RENEWAL
    if lease.more_than_half_left(now, lease_time) and not fills_equipment:
        return NO_RENEWAL
    return True, now + lease_time
