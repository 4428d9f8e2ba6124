"""Accounting-Request: turn each packet into a session row change for the
writer, decide from the cache what it changes on the session's lease, and
answer once the row is committed.
"""

from __future__ import annotations

import ipaddress
import time
from typing import TYPE_CHECKING

import structlog

from lastmile.aaa.decision import equipment_mismatch, nas_port_of
from lastmile.aaa.dispatch import answer_status_server
from lastmile.aaa.ops import (
    AcctRecord,
    ClosedSession,
    EquipmentChange,
    LeaseExpiry,
    NasReset,
    utc,
)
from lastmile.aaa.sessions import OpenSession
from lastmile.aaa.state import LeaseInfo, NasInfo, State
from lastmile.aaa.writer import BatchWriter
from lastmile.network.models import normalize_mac
from lastmile.radius import codec

if TYPE_CHECKING:
    from lastmile.aaa.server import ServerConfig

log = structlog.get_logger("lastmile.aaa")

TERMINATE_CAUSES = {
    1: "User-Request", 2: "Lost-Carrier", 3: "Lost-Service", 4: "Idle-Timeout",
    5: "Session-Timeout", 6: "Admin-Reset", 7: "Admin-Reboot", 8: "Port-Error",
    9: "NAS-Error", 10: "NAS-Request", 11: "NAS-Reboot", 12: "Port-Unneeded",
    13: "Port-Preempted", 14: "Port-Suspended", 15: "Service-Unavailable",
    16: "Callback", 17: "User-Error", 18: "Host-Request",
}  # fmt: skip


class AccountingHandler:
    """Answers the accounting port."""

    def __init__(self, config: ServerConfig, state: State, writer: BatchWriter) -> None:
        self.config = config
        self.state = state
        self.writer = writer

    async def handle(self, nas: NasInfo, packet: codec.Packet) -> bytes | None:
        if packet.code != codec.ACCOUNTING_REQUEST:
            if packet.code == codec.STATUS_SERVER:
                return answer_status_server(nas, packet, codec.ACCOUNTING_RESPONSE)
            return None
        if not codec.request_authenticator_ok(packet, nas.secret):
            log.warning("radius.bad_accounting_authenticator", nas=nas.address)
            return None
        status = packet.integer(codec.ACCT_STATUS_TYPE)
        now = time.time() - packet.integer(codec.ACCT_DELAY_TIME)
        if status in (codec.ACCT_ON, codec.ACCT_OFF):
            closed = await self.writer.submit(NasReset(nas.id, utc(now)))
            self._release_after_reset(nas, status, closed, now)
        elif status in (codec.ACCT_START, codec.ACCT_STOP, codec.ACCT_INTERIM):
            built = self._session_record(nas, packet, status, now)
            if built is None:
                log.info("radius.accounting_without_session_id", nas=nas.address)
                return None
            record, lease = built
            is_stop = status == codec.ACCT_STOP
            self._lease_expiry_change(lease, record.customer_id, is_stop, now)
            if lease is not None and self.state.has_ipv6_pools:
                for prefix_lease in self._prefix_leases(record, lease.customer_id):
                    self._lease_expiry_change(prefix_lease, record.customer_id, is_stop, now)
            await self.writer.submit(record)
            session = self.state.note_session(
                (nas.id, record.session_id),
                record.customer_id,
                nas_port=nas_port_of(packet),
                mac=record.mac,
                at=now,
                interim_interval_s=record.interim_interval_s,
                is_stop=status == codec.ACCT_STOP,
            )
            if status == codec.ACCT_INTERIM and session is not None:
                await self._recheck_equipment(nas, packet, record, lease, session)
        return codec.build_reply(
            codec.ACCOUNTING_RESPONSE, packet.identifier, packet.authenticator, b"", nas.secret
        )

    def _session_record(
        self, nas: NasInfo, packet: codec.Packet, status: int, now: float
    ) -> tuple[AcctRecord, LeaseInfo | None] | None:
        """The session row change, and the cached lease of its address."""
        session_id = packet.text(codec.ACCT_SESSION_ID)
        if not session_id:
            return None
        login = packet.text(codec.USER_NAME)
        framed = packet.attrs.get(codec.FRAMED_IP_ADDRESS)
        address_int = int.from_bytes(framed, "big") if framed and len(framed) == 4 else None
        lease = self.state.lease_by_address.get(address_int) if address_int is not None else None
        customer_id = self._owner(nas, session_id, login, lease)
        octets_in = (packet.integer(codec.ACCT_INPUT_GIGAWORDS) << 32) + packet.integer(
            codec.ACCT_INPUT_OCTETS
        )
        octets_out = (packet.integer(codec.ACCT_OUTPUT_GIGAWORDS) << 32) + packet.integer(
            codec.ACCT_OUTPUT_OCTETS
        )
        session_time = packet.integer(codec.ACCT_SESSION_TIME)
        is_stop = status == codec.ACCT_STOP
        calling = packet.text(codec.CALLING_STATION_ID)
        record = AcctRecord(
            nas_id=nas.id,
            session_id=session_id[:128],
            customer_id=customer_id,
            login=login[:253],
            address=str(ipaddress.IPv4Address(address_int)) if address_int is not None else None,
            mac=normalize_mac(calling) or calling[:64],
            nas_port=(packet.text(codec.NAS_PORT_ID) or str(packet.integer(codec.NAS_PORT, 0)))[
                :64
            ],
            started_at=now - session_time,
            updated_at=now,
            stopped_at=now if is_stop else None,
            session_time_s=session_time,
            octets_in=octets_in,
            octets_out=octets_out,
            terminate_cause=TERMINATE_CAUSES.get(
                packet.integer(codec.ACCT_TERMINATE_CAUSE), "Unknown"
            )
            if is_stop
            else "",
            interim_interval_s=self.config.interim_interval_s,
            is_start=status == codec.ACCT_START,
        )
        if codec.FRAMED_IPV6_PREFIX in packet.attrs or codec.DELEGATED_IPV6_PREFIX in packet.attrs:
            record.ipv6_prefix = _prefix_text(packet.attrs.get(codec.FRAMED_IPV6_PREFIX))
            record.delegated_prefix = _prefix_text(packet.attrs.get(codec.DELEGATED_IPV6_PREFIX))
        return record, lease

    def _prefix_leases(self, record: AcctRecord, customer_id: int) -> list[LeaseInfo]:
        """Dual stack: the prefix leases a session holds besides its address —
        the ones the NAS reports (also noted on the session), else the address's
        customer's prefixes; they live and end with the session like its address."""
        reported = []
        for text in (record.ipv6_prefix, record.delegated_prefix):
            if text:
                prefix = ipaddress.IPv6Network(text)
                known = self.state.lease_by_address.get(int(prefix.network_address))
                if known is not None and known.prefix_length == prefix.prefixlen:
                    reported.append(known)
        if record.ipv6_prefix or record.delegated_prefix:
            return reported
        return [x for x in self.state.customer_leases(customer_id) if x.prefix_length]

    async def _recheck_equipment(
        self,
        nas: NasInfo,
        packet: codec.Packet,
        record: AcctRecord,
        lease: LeaseInfo | None,
        session: OpenSession,
    ) -> None:
        """An Interim-Update from other equipment (MAC, option 82 port) than
        the session's lease was given to: a router handed to a neighbour keeps
        renewing.  Logged, and a Disconnect of that session requested once."""
        if lease is None or session.equipment_flagged or lease.customer_id != record.customer_id:
            return
        mismatch = equipment_mismatch(lease, record.mac, codec.agent_ids(packet))
        if not mismatch:
            return
        session.equipment_flagged = True
        log.warning(
            "radius.interim_equipment_mismatch",
            nas=nas.address,
            session_id=record.session_id,
            customer_id=record.customer_id,
            address=lease.address_text,
            detail=mismatch,
        )
        try:
            await self.writer.submit(EquipmentChange(nas.id, record.session_id, mismatch))
        except Exception:  # the interim is recorded; the NAS must still get its answer
            session.equipment_flagged = False  # the next interim asks again
            log.exception("radius.equipment_change_not_recorded", session_id=record.session_id)

    def _owner(
        self, nas: NasInfo, session_id: str, login: str, lease: LeaseInfo | None
    ) -> int | None:
        """Whose session it is: the customer of the login, or of the lease of
        its address.  When both are known and differ, one of them is wrong
        (a NAS reporting a stale address, a shared login), so the session is
        attached to nobody rather than to a customer it may not belong to."""
        by_login = self.state.by_login.get(login) if login else None
        if lease is None:
            return by_login
        if by_login is None or by_login == lease.customer_id:
            return lease.customer_id
        log.warning(
            "radius.session_owner_conflict",
            nas=nas.address,
            session_id=session_id,
            login=login,
            login_customer_id=by_login,
            address=lease.address_text,
            lease_customer_id=lease.customer_id,
        )
        return None

    def _release_after_reset(
        self, nas: NasInfo, status: int, closed: list[ClosedSession], now: float
    ) -> None:
        """Each session an Accounting-On/Off closed gives up its lease as its
        Stop would have."""
        lease_by_address = self.state.lease_by_address
        for session in closed:
            self.state.forget_session((nas.id, session.session_id))
            if session.address is None or ":" in session.address:
                continue
            lease = lease_by_address.get(int(ipaddress.IPv4Address(session.address)))
            self._lease_expiry_change(lease, session.customer_id, True, now)
            if lease is not None and self.state.has_ipv6_pools:
                for prefix_lease in self.state.customer_leases(lease.customer_id):
                    if prefix_lease.prefix_length:
                        self._lease_expiry_change(prefix_lease, session.customer_id, True, now)
        log.info(
            "radius.nas_reset",
            nas=nas.address,
            status="Accounting-On" if status == codec.ACCT_ON else "Accounting-Off",
            sessions_closed=len(closed),
        )

    def _lease_expiry_change(
        self, lease: LeaseInfo | None, customer_id: int | None, is_stop: bool, now: float
    ) -> None:
        """What accounting changes on the session's dynamic lease, decided from
        the cache so that most packets change nothing: a running session keeps
        its lease alive (extended when less than half of it is left, the rule
        of a re-auth); after Stop the address is held only
        ``lease_hold_after_stop_s``.  Static leases never expire, and a lease
        now held by another customer is not the session's to change.

        The cache changes at once; the database within the writer's flush
        interval, off the reply path (the session record is what the reply
        vouches for).  Lost in a crash, a change leaves the lease longer than
        meant, never shorter: an address comes back to the pool late, it is
        never handed out twice."""
        if lease is None or lease.kind != "dynamic":
            return
        if customer_id is not None and lease.customer_id != customer_id:
            return
        expires = lease.expires_at
        if is_stop:
            if now < lease.renewed_at:  # it ended before the subscriber came back
                return
            target = now + self.config.lease_hold_after_stop_s
            if expires is not None and expires <= target:
                return
        else:
            if lease.more_than_half_left(now, self.config.lease_time_s):
                return
            target = now + self.config.lease_time_s
        lease.expires_at = target
        self.writer.defer_lease_expiry(LeaseExpiry(lease.id, target, is_stop, now))


def _prefix_text(value: bytes | None) -> str:
    prefix = codec.parse_ipv6_prefix(value) if value is not None else None
    return str(prefix) if prefix is not None else ""
