"""From a datagram to a handler and back: the NAS lookup, the duplicate
cache, one task per request, and the reply sent on the socket it came in on.

A retransmission (same NAS, port, identifier and authenticator) is answered
from the cache, or ignored while the first copy is still being handled, so
a request is acted on once however often the NAS repeats it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from lastmile.aaa.state import NasInfo, State
from lastmile.radius import codec

log = structlog.get_logger("lastmile.aaa")

Handler = Callable[[NasInfo, codec.Packet], Awaitable[bytes | None]]
_PENDING = b""


class Protocol(asyncio.DatagramProtocol):
    """One bound port: every datagram goes to the dispatcher with this port's handler."""

    def __init__(self, dispatcher: Dispatcher, handler: Handler) -> None:
        self.dispatcher = dispatcher
        self.handler = handler
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.dispatcher.on_datagram(self, data, addr)

    def error_received(self, exc: Exception) -> None:
        log.warning("radius.socket_error", error=str(exc))


class Dispatcher:
    """Routes datagrams to handlers; mutated only from the event loop's thread."""

    def __init__(self, state: State, *, dup_cache_s: float) -> None:
        self.state = state
        self.dup_cache_s = dup_cache_s
        self.is_closed = False
        self._dup: dict[tuple[Any, ...], bytes] = {}
        self._dup_expiry: deque[tuple[float, tuple[Any, ...]]] = deque()
        self._inflight: set[asyncio.Task[None]] = set()
        self._unknown_logged: dict[str, float] = {}

    def protocol(self, handler: Handler) -> Protocol:
        return Protocol(self, handler)

    async def close(self) -> None:
        """Ignore new datagrams from now on and finish the ones in flight."""
        self.is_closed = True
        if self._inflight:
            await asyncio.gather(*list(self._inflight), return_exceptions=True)

    def on_datagram(self, proto: Protocol, data: bytes, addr: tuple[str, int]) -> None:
        if self.is_closed:
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
        proto: Protocol,
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
        self._dup_expiry.append((received + self.dup_cache_s, key))
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


def answer_status_server(nas: NasInfo, packet: codec.Packet, reply_code: int) -> bytes | None:
    """Status-Server (RFC 5997): say the server is alive on this port with
    ``reply_code`` (Access-Accept, Accounting-Response).  Message-Authenticator
    is required whatever the NAS's setting; nothing else in the probe is read,
    so it never counts as a login or a session."""
    if packet.ma_offset < 0:
        log.warning("radius.status_server_without_message_authenticator", nas=nas.address)
        return None
    if not codec.message_authenticator_ok(packet, nas.secret):
        log.warning("radius.bad_message_authenticator", nas=nas.address)
        return None
    return codec.build_reply(
        reply_code, packet.identifier, packet.authenticator, b"", nas.secret, to_status_server=True
    )
