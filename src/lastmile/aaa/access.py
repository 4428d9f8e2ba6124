"""Access-Request: check the request, take the policy's decision, make its
lease durable (renew the one in use, or allocate a free address through
the writer) and answer Access-Accept or Access-Reject.

An Accept leaves only after its lease is committed; a re-auth whose lease
has more than half its time left costs no database write.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING

import structlog

from lastmile.aaa import policy
from lastmile.aaa.decision import (
    Credentials,
    Decision,
    credentials_from_packet,
    customer_access,
    decide,
    equipment_ok,
)
from lastmile.aaa.dispatch import answer_status_server
from lastmile.aaa.ops import Allocation, Renewal, utc
from lastmile.aaa.policy import Refusal
from lastmile.aaa.pools import PoolInfo
from lastmile.aaa.state import LeaseInfo, NasInfo, State
from lastmile.aaa.writer import BatchWriter
from lastmile.radius import codec

if TYPE_CHECKING:
    from lastmile.aaa.server import ServerConfig

log = structlog.get_logger("lastmile.aaa")

_ALLOCATION_ATTEMPTS = 8
#: A customer's open sessions are re-read before a Simultaneous-Use refusal at
#: most this often (a router retrying a refused login must not become a query
#: per packet).
SESSION_RECHECK_S = 5.0


class AccessHandler:
    """Answers the authentication port."""

    def __init__(
        self,
        config: ServerConfig,
        state: State,
        writer: BatchWriter,
        reload_sessions: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        self.config = config
        self.state = state
        self.writer = writer
        # Another node's accounting reaches this node's cache only with its
        # next full load, so a session stopped there would still count here.
        # Before refusing a login as "already online", the customer's open
        # sessions are read again from the database: a refusal is always
        # decided on what every node has recorded.
        self.reload_sessions = reload_sessions
        self._rechecked: dict[int, float] = {}
        self.policy = policy.PolicyConfig(
            session_timeout_s=config.session_timeout_s,
            guest_session_timeout_s=config.guest_session_timeout_s,
            interim_interval_s=config.interim_interval_s,
            lease_time_s=config.lease_time_s,
            split_rate=config.split_rate,
        )

    async def handle(self, nas: NasInfo, packet: codec.Packet) -> bytes | None:
        if packet.code != codec.ACCESS_REQUEST:
            if packet.code == codec.STATUS_SERVER:
                return answer_status_server(nas, packet, codec.ACCESS_ACCEPT)
            return None
        if packet.ma_offset >= 0:
            if not codec.message_authenticator_ok(packet, nas.secret):
                log.warning("radius.bad_message_authenticator", nas=nas.address)
                return None
        elif nas.require_ma:
            log.warning("radius.missing_message_authenticator", nas=nas.address)
            return None
        creds = credentials_from_packet(packet, nas.secret)
        decision, address = await self.authorize(nas, creds)
        if decision.refusal is not None:
            return self._reject(nas, packet, creds, decision)
        customer = decision.customer
        assert customer is not None and address is not None
        result = policy.accept(
            customer_access(self.state, customer, time.time()),
            self.policy,
            address=address,
            is_guest=decision.is_guest,
            ipv6_prefixes={use: str(x.network) for use, x in decision.ipv6_leases.items()}
            if decision.ipv6_leases
            else None,
        )
        return codec.build_reply(
            codec.ACCESS_ACCEPT,
            packet.identifier,
            packet.authenticator,
            policy.udp_attributes(result, nas.vendor),
            nas.secret,
        )

    def _reject(
        self, nas: NasInfo, packet: codec.Packet, creds: Credentials, decision: Decision
    ) -> bytes:
        level = "warning" if decision.refusal == Refusal.EQUIPMENT_MISMATCH else "info"
        getattr(log, level)(
            "radius.reject",
            nas=nas.address,
            login=creds.login,
            customer_id=decision.customer.id if decision.customer else None,
            reason=str(decision.refusal),
            mac=creds.mac,
            detail=decision.detail,
        )
        assert decision.refusal is not None
        result = policy.reject(decision.refusal, limit=decision.limit, detail=decision.detail)
        return codec.build_reply(
            codec.ACCESS_REJECT,
            packet.identifier,
            packet.authenticator,
            policy.udp_attributes(result, nas.vendor),
            nas.secret,
        )

    async def authorize(self, nas: NasInfo, creds: Credentials) -> tuple[Decision, str | None]:
        """The decision plus a durable lease; returns (decision, address)."""
        now = time.time()
        decision = decide(self.state, nas, creds, now)
        if decision.refusal == Refusal.ALREADY_ONLINE and await self._recheck_sessions(decision):
            decision = decide(self.state, nas, creds, now)
        if decision.refusal is not None:
            return decision, None
        customer = decision.customer
        assert customer is not None
        lease_time = policy.lease_time(decision.is_guest, self.policy)
        if decision.lease is not None:
            await self._renew(decision.lease, nas, creds, now, lease_time)
        else:
            pool = decision.pool
            assert pool is not None
            lease, existed = await self._allocate(
                pool, customer.id, nas, creds, utc(now + lease_time)
            )
            if lease is None:
                decision.refusal = Refusal.NO_ADDRESS
                decision.detail = f"pool {pool.name} exhausted"
                return decision, None
            if existed and not equipment_ok(lease, creds):  # another request of theirs won
                decision.refusal = Refusal.EQUIPMENT_MISMATCH
                return decision, None
            decision.lease = lease
        if decision.ipv6_leases or decision.ipv6_pools:
            await self._ipv6(decision, customer.id, nas, creds, now)
        return decision, decision.lease.address_text

    async def _recheck_sessions(self, decision: Decision) -> bool:
        """Re-read the refused customer's open sessions; False when that was
        done less than ``SESSION_RECHECK_S`` ago or cannot be done now."""
        customer = decision.customer
        if self.reload_sessions is None or customer is None:
            return False
        now = time.monotonic()
        if now - self._rechecked.get(customer.id, -SESSION_RECHECK_S) < SESSION_RECHECK_S:
            return False
        if len(self._rechecked) > 10_000:  # forget old entries; the map stays small
            self._rechecked = {
                k: v for k, v in self._rechecked.items() if now - v < SESSION_RECHECK_S
            }
        self._rechecked[customer.id] = now
        try:
            await self.reload_sessions(customer.id)
        except Exception:  # the database is away: the cached count decides
            log.warning("radius.session_recheck_failed", customer_id=customer.id, exc_info=True)
            return False
        return True

    async def _allocate(
        self, pool: PoolInfo, customer_id: int, nas: NasInfo, creds: Credentials, expires: datetime
    ) -> tuple[LeaseInfo | None, bool]:
        """A new lease from the pool (an address, or an IPv6 prefix), or the
        customer's existing one in it (then True); None when the pool has
        nothing free."""
        for _ in range(_ALLOCATION_ATTEMPTS):
            candidate = pool.pick_free()
            if candidate is None:
                return None, False
            if pool.family == 6:
                address = str(ipaddress.IPv6Address(candidate))
            else:
                address = str(ipaddress.IPv4Address(candidate))
            outcome, lease = await self.writer.submit(
                Allocation(
                    customer_id,
                    pool.id,
                    address,
                    creds.mac,
                    creds.remote_id,
                    creds.circuit_id,
                    nas.id,
                    expires,
                    pool.prefix_length if pool.family == 6 else 0,
                )
            )
            if outcome == "taken":
                continue  # another node holds it; it stays out of our free list
            assert lease is not None
            if outcome == "exists":
                self.state.release_address(candidate)
            self.state.add_lease(lease)
            return lease, outcome == "exists"
        return None, False

    async def _ipv6(
        self, decision: Decision, customer_id: int, nas: NasInfo, creds: Credentials, now: float
    ) -> None:
        """Dual stack: renew the customer's prefixes like their IPv4 lease, or
        lease new ones.  An exhausted IPv6 pool costs the prefix, not the login."""
        lease_time = self.config.lease_time_s
        for lease in decision.ipv6_leases.values():
            await self._renew(lease, nas, creds, now, lease_time)
        for use, pool in decision.ipv6_pools.items():
            prefix, _existed = await self._allocate(
                pool, customer_id, nas, creds, utc(now + lease_time)
            )
            if prefix is None:
                log.warning("radius.ipv6_pool_exhausted", pool=pool.name, customer_id=customer_id)
                continue
            decision.ipv6_leases[use] = prefix

    async def _renew(
        self, lease: LeaseInfo, nas: NasInfo, creds: Credentials, now: float, lease_time: int
    ) -> None:
        """Extend a dynamic lease (and record its equipment) only when needed
        (``policy.lease_renewal``)."""
        needed, expires_s = policy.lease_renewal(lease, creds, now=now, lease_time=lease_time)
        if not needed:
            return
        expires = None if expires_s is None else utc(expires_s)
        await self.writer.submit(
            Renewal(lease.id, expires, creds.mac, creds.remote_id, creds.circuit_id, nas.id, at=now)
        )
        lease.expires_at = expires.timestamp() if expires else None
        lease.renewed_at = now
        lease.mac = lease.mac or creds.mac
        if not lease.remote_id and creds.remote_id:
            lease.remote_id, lease.circuit_id = creds.remote_id, creds.circuit_id
