"""``lastmile radius``: the asyncio UDP RADIUS server.

One event loop per process; several processes or nodes may run against one
database (the unique index on active leases makes a double allocation
impossible, the in-memory free lists only make it unlikely).
"""

from __future__ import annotations

import asyncio
import gc
import ipaddress
import signal
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from lastmile.aaa.decision import (
    REPLY_MESSAGES,
    Credentials,
    Decision,
    Refusal,
    accept_attributes,
    credentials_from_packet,
    customer_rate,
    decide,
)
from lastmile.aaa.listener import Listener
from lastmile.aaa.state import LeaseInfo, NasInfo, State
from lastmile.aaa.writer import (
    LEASE_FLUSH_S,
    AcctRecord,
    Allocation,
    BatchWriter,
    LeaseExpiry,
    NasReset,
    Renewal,
)
from lastmile.network.models import normalize_mac
from lastmile.radius import codec

log = structlog.get_logger("lastmile.aaa")

TERMINATE_CAUSES = {
    1: "User-Request", 2: "Lost-Carrier", 3: "Lost-Service", 4: "Idle-Timeout",
    5: "Session-Timeout", 6: "Admin-Reset", 7: "Admin-Reboot", 8: "Port-Error",
    9: "NAS-Error", 10: "NAS-Request", 11: "NAS-Reboot", 12: "Port-Unneeded",
    13: "Port-Preempted", 14: "Port-Suspended", 15: "Service-Unavailable",
    16: "Callback", 17: "User-Error", 18: "Host-Request",
}  # fmt: skip
_PENDING = b""
_ALLOCATION_ATTEMPTS = 8


@dataclass(slots=True)
class ServerConfig:
    dsn: str
    bind: str = "0.0.0.0"  # noqa: S104 - a RADIUS server serves NASes on the network
    auth_port: int = 1812
    acct_port: int = 1813
    interim_interval_s: int = 300
    session_timeout_s: int = 86400
    guest_session_timeout_s: int = 600
    split_rate: bool = True
    lease_time_s: int = 86400
    lease_hold_after_stop_s: int = 300
    writers: int = 2
    commit_delay_s: float = 0.002
    lease_flush_s: float = LEASE_FLUSH_S
    dup_cache_s: float = 30.0
    reuse_port: bool = False


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, server: RadiusServer, handler: Callable[..., Awaitable[bytes | None]]):
        self.server = server
        self.handler = handler
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.server.on_datagram(self, data, addr)

    def error_received(self, exc: Exception) -> None:
        log.warning("radius.socket_error", error=str(exc))


def _settle_garbage_collector() -> None:
    """Keep Python's cyclic collector away from the long-lived cache.

    A full collection walks every object; over 100,000 cached customers and
    leases it stopped the event loop for about 100 ms, which showed as the
    p99 of allocation under load (bench/aaa.py).  The cache loaded at start
    is frozen out of collection, and young objects are collected less often.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


class RadiusServer:
    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.state = State()
        self.writer = BatchWriter(
            config.dsn,
            connections=config.writers,
            delay_s=config.commit_delay_s,
            lease_flush_s=config.lease_flush_s,
        )
        self.listener = Listener(config.dsn, self.state, self.writer.pids)
        self._dup: dict[tuple[Any, ...], bytes] = {}
        self._dup_expiry: deque[tuple[float, tuple[Any, ...]]] = deque()
        self._inflight: set[asyncio.Task[None]] = set()
        self._transports: list[asyncio.DatagramTransport] = []
        self._unknown_logged: dict[str, float] = {}
        self._stopping = asyncio.Event()

    # Lifecycle ---------------------------------------------------------------------
    async def start(self) -> None:
        await self.listener.start()
        await self.writer.start()
        _settle_garbage_collector()
        loop = asyncio.get_running_loop()
        for port, handler in (
            (self.config.auth_port, self.handle_access),
            (self.config.acct_port, self.handle_accounting),
        ):
            transport, _ = await loop.create_datagram_endpoint(
                lambda h=handler: _Protocol(self, h),  # type: ignore[misc]
                local_addr=(self.config.bind, port),
                reuse_port=self.config.reuse_port or None,
            )
            self._transports.append(transport)
        log.info(
            "radius.started",
            auth_port=self.config.auth_port,
            acct_port=self.config.acct_port,
            customers=len(self.state.customers),
            nases=len(self.state.nases),
        )

    def request_stop(self) -> None:
        self._stopping.set()

    async def serve_until_stopped(self) -> None:
        await self._stopping.wait()
        await self.stop()

    async def stop(self) -> None:
        """Stop taking packets, finish the ones in flight, commit, close."""
        self._stopping.set()  # new datagrams are ignored from now on
        if self._inflight:
            await asyncio.gather(*list(self._inflight), return_exceptions=True)
        await self.writer.close()
        await self.listener.stop()
        for transport in self._transports:
            transport.close()
        log.info("radius.stopped")

    # Datagram dispatch ---------------------------------------------------------------
    def on_datagram(self, proto: _Protocol, data: bytes, addr: tuple[str, int]) -> None:
        if self._stopping.is_set():
            return
        nas = self.state.nases.get(addr[0])
        if nas is None:
            self._log_unknown_nas(addr[0])
            return
        if len(data) < 20:
            return
        now = time.monotonic()
        self._expire_dups(now)
        key = (addr, proto.handler, data[1], data[4:20])
        cached = self._dup.get(key)
        if cached is not None:
            if cached and proto.transport is not None:
                proto.transport.sendto(cached, addr)
            return
        try:
            packet = codec.parse(data)
        except codec.PacketError as exc:
            log.info("radius.malformed", nas=nas.address, error=str(exc))
            return
        self._dup[key] = _PENDING
        task = asyncio.get_running_loop().create_task(
            self._process(proto, nas, packet, addr, key, now)
        )
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _process(
        self,
        proto: _Protocol,
        nas: NasInfo,
        packet: codec.Packet,
        addr: tuple[str, int],
        key: tuple[Any, ...],
        received: float,
    ) -> None:
        try:
            reply = await proto.handler(nas, packet)
        except Exception:
            log.exception("radius.handler_failed", nas=nas.address)
            reply = None
        if reply is None:
            self._dup.pop(key, None)
            return
        self._dup[key] = reply
        self._dup_expiry.append((received + self.config.dup_cache_s, key))
        if proto.transport is not None and not proto.transport.is_closing():
            proto.transport.sendto(reply, addr)

    def _expire_dups(self, now: float) -> None:
        expiry = self._dup_expiry
        while expiry and expiry[0][0] < now:
            _, key = expiry.popleft()
            self._dup.pop(key, None)

    def _log_unknown_nas(self, address: str) -> None:
        now = time.monotonic()
        if now - self._unknown_logged.get(address, -1e9) > 60:
            self._unknown_logged[address] = now
            if len(self._unknown_logged) > 10000:
                self._unknown_logged.clear()
            log.warning("radius.unknown_nas_dropped", source=address)

    # Access-Request ------------------------------------------------------------------
    async def handle_access(self, nas: NasInfo, packet: codec.Packet) -> bytes | None:
        if packet.code != codec.ACCESS_REQUEST:
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
        now = time.time()
        if decision.is_guest:
            timeout = self.config.guest_session_timeout_s
            rate = None
        else:
            timeout = self.config.session_timeout_s
            if customer.period_end is not None:
                timeout = min(timeout, int(customer.period_end - now))
            rate = customer_rate(self.state, customer, split=self.config.split_rate)
        attrs = accept_attributes(
            vendor=nas.vendor,
            address=address,
            session_timeout_s=timeout,
            interim_interval_s=self.config.interim_interval_s,
            rate=rate,
            is_guest=decision.is_guest,
        )
        return codec.build_reply(
            codec.ACCESS_ACCEPT, packet.identifier, packet.authenticator, attrs, nas.secret
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
        attrs = codec.attr_text(codec.REPLY_MESSAGE, REPLY_MESSAGES[decision.refusal])
        return codec.build_reply(
            codec.ACCESS_REJECT, packet.identifier, packet.authenticator, attrs, nas.secret
        )

    async def authorize(self, nas: NasInfo, creds: Credentials) -> tuple[Decision, str | None]:
        """The decision plus a durable lease; returns (decision, address)."""
        now = time.time()
        decision = decide(self.state, nas, creds, now)
        if decision.refusal is not None:
            return decision, None
        customer = decision.customer
        assert customer is not None
        lease_time = (
            self.config.guest_session_timeout_s * 2
            if decision.is_guest
            else self.config.lease_time_s
        )
        if decision.lease is not None:
            await self._renew(decision.lease, nas, creds, now, lease_time)
            return decision, decision.lease.address_text
        pool = decision.pool
        assert pool is not None
        expires = _at(now + lease_time)
        for _ in range(_ALLOCATION_ATTEMPTS):
            candidate = pool.pick_free()
            if candidate is None:
                break
            address = str(ipaddress.IPv4Address(candidate))
            outcome, lease = await self.writer.submit(
                Allocation(
                    customer.id,
                    pool.id,
                    address,
                    creds.mac,
                    creds.remote_id,
                    creds.circuit_id,
                    nas.id,
                    expires,
                )
            )
            if outcome == "taken":
                continue  # another node holds it; it stays out of our free list
            assert lease is not None
            if outcome == "exists":
                self.state.release_address(candidate)
                self.state.add_lease(lease)
                from lastmile.aaa.decision import equipment_ok

                if not equipment_ok(lease, creds):
                    decision.refusal = Refusal.EQUIPMENT_MISMATCH
                    return decision, None
            else:
                self.state.add_lease(lease)
            decision.lease = lease
            return decision, lease.address_text
        decision.refusal = Refusal.NO_ADDRESS
        decision.detail = f"pool {pool.name} exhausted"
        return decision, None

    async def _renew(
        self, lease: LeaseInfo, nas: NasInfo, creds: Credentials, now: float, lease_time: int
    ) -> None:
        """Extend a dynamic lease (and record its equipment) only when needed,
        so a re-auth usually costs no database write."""
        fills_equipment = (creds.mac and not lease.mac) or (creds.remote_id and not lease.remote_id)
        if lease.kind == "static":
            if not fills_equipment:
                return
            expires = None
        else:
            if lease.more_than_half_left(now, lease_time) and not fills_equipment:
                return
            expires = _at(now + lease_time)
        await self.writer.submit(
            Renewal(lease.id, expires, creds.mac, creds.remote_id, creds.circuit_id, nas.id, at=now)
        )
        lease.expires_at = expires.timestamp() if expires else None
        lease.renewed_at = now
        lease.mac = lease.mac or creds.mac
        if not lease.remote_id and creds.remote_id:
            lease.remote_id, lease.circuit_id = creds.remote_id, creds.circuit_id

    # Accounting-Request --------------------------------------------------------------
    async def handle_accounting(self, nas: NasInfo, packet: codec.Packet) -> bytes | None:
        if packet.code != codec.ACCOUNTING_REQUEST:
            return None
        if not codec.request_authenticator_ok(packet, nas.secret):
            log.warning("radius.bad_accounting_authenticator", nas=nas.address)
            return None
        status = packet.integer(codec.ACCT_STATUS_TYPE)
        now = time.time() - packet.integer(codec.ACCT_DELAY_TIME)
        if status in (codec.ACCT_ON, codec.ACCT_OFF):
            await self.writer.submit(NasReset(nas.id, _at(now)))
        elif status in (codec.ACCT_START, codec.ACCT_STOP, codec.ACCT_INTERIM):
            built = self._acct_record(nas, packet, status, now)
            if built is None:
                log.info("radius.accounting_without_session_id", nas=nas.address)
                return None
            record, lease = built
            self._lease_expiry_change(lease, record.customer_id, status == codec.ACCT_STOP, now)
            await self.writer.submit(record)
        return codec.build_reply(
            codec.ACCOUNTING_RESPONSE, packet.identifier, packet.authenticator, b"", nas.secret
        )

    def _acct_record(
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
        customer_id = self.state.by_login.get(login)
        if customer_id is None and lease is not None:
            customer_id = lease.customer_id
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
        )
        return record, lease

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


async def run_server(config: ServerConfig, *, on_ready: Callable[[], None] | None = None) -> None:
    server = RadiusServer(config)
    await server.start()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, server.request_stop)
    if on_ready is not None:
        on_ready()
    await server.serve_until_stopped()
