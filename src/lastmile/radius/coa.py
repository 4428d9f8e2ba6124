"""The one place that sends Dynamic Authorization requests (RFC 5176):
Disconnect-Request and CoA-Request to a NAS, waiting for its ACK/NAK.

``send_many`` sends a whole batch from one thread: non-blocking UDP sockets,
up to ``parallel`` requests in flight, each matched to its answer by the
socket it left from and its Identifier (256 per socket, so a socket more per
256 in flight) and accepted only with a correct Response Authenticator.  A
request that gets no valid answer within ``timeout_s`` is sent again, the same
bytes, until ``attempts`` are used; then it is a timeout.  Anything else that
arrives (garbage, a late answer to an identifier now reused, a packet signed
with another secret) is no answer.  ``send`` is the batch of one.
"""

from __future__ import annotations

import heapq
import ipaddress
import random
import selectors
import socket
import struct
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from lastmile.radius import codec

ERROR_CAUSES = {
    201: "Residual-Context-Removed",
    401: "Unsupported-Attribute",
    402: "Missing-Attribute",
    403: "NAS-Identification-Mismatch",
    404: "Invalid-Request",
    405: "Unsupported-Service",
    406: "Unsupported-Extension",
    501: "Administratively-Prohibited",
    503: "Session-Context-Not-Found",
    504: "Session-Context-Not-Removable",
    506: "Resources-Unavailable",
}


@dataclass(frozen=True, slots=True)
class CoaOutcome:
    result: str  # "ack", "nak", "timeout", "error"
    detail: str = ""
    sent_at: float = 0.0  # Unix time of the first transmission (0: never sent)
    elapsed_s: float = 0.0  # from the first transmission to the answer or the give-up


@dataclass(frozen=True, slots=True)
class CoaRequest:
    """One Disconnect-Request or CoA-Request to one NAS."""

    host: str
    port: int
    secret: bytes
    code: int
    attrs: bytes


def session_identity(*, acct_session_id: str, login: str = "", address: str | None = None) -> bytes:
    """The attributes that name one session to its NAS (RFC 5176 3):
    Acct-Session-Id, plus User-Name and Framed-IP-Address when known (an
    IPv6 address is left out: it has attributes of its own)."""
    attrs = codec.attr_text(codec.ACCT_SESSION_ID, acct_session_id)
    if login:
        attrs += codec.attr_text(codec.USER_NAME, login)
    if address and ipaddress.ip_address(address).version == 4:
        attrs += codec.attr(codec.FRAMED_IP_ADDRESS, ipaddress.IPv4Address(address).packed)
    return attrs


def send(
    *,
    host: str,
    port: int,
    secret: bytes,
    code: int,
    attrs: bytes,
    timeout_s: float = 2.0,
    attempts: int = 2,
) -> CoaOutcome:
    """Send one request (retransmitting the same bytes) and classify the answer."""
    request = CoaRequest(host=host, port=port, secret=secret, code=code, attrs=attrs)
    return send_many([request], timeout_s=timeout_s, attempts=attempts)[0]


def send_many(
    requests: Sequence[CoaRequest],
    *,
    timeout_s: float = 2.0,
    attempts: int = 2,
    parallel: int = 64,
) -> list[CoaOutcome]:
    """Send every request, at most ``parallel`` in flight; the outcomes in order."""
    with _Fanout(requests, timeout_s, max(1, attempts), max(1, parallel)) as fanout:
        return fanout.run()


@dataclass(slots=True)
class _Socket:
    sock: socket.socket
    free: deque[int]  # identifiers not in flight on this socket


@dataclass(slots=True)
class _Flight:
    index: int
    via: _Socket
    packet: bytes
    addr: tuple[str, int]
    secret: bytes
    sent_at: float
    started: float
    deadline: float
    tries_left: int


class _Fanout:
    def __init__(
        self, requests: Sequence[CoaRequest], timeout_s: float, attempts: int, parallel: int
    ) -> None:
        self.requests = requests
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.parallel = parallel
        self.outcomes: list[CoaOutcome | None] = [None] * len(requests)
        self.selector = selectors.DefaultSelector()
        self.sockets: dict[int, list[_Socket]] = {}  # by address family
        self.flights: dict[tuple[int, int], _Flight] = {}  # (socket fd, identifier)
        self.deadlines: list[tuple[float, int, int]] = []  # (deadline, fd, identifier)

    def __enter__(self) -> _Fanout:
        return self

    def __exit__(self, *exc: object) -> None:
        self.selector.close()
        for group in self.sockets.values():
            for item in group:
                item.sock.close()

    def run(self) -> list[CoaOutcome]:
        waiting = deque(range(len(self.requests)))
        while waiting or self.flights:
            while waiting and len(self.flights) < self.parallel:
                self._start(waiting.popleft())
            if not self.flights:
                continue
            wait = max(0.0, self.deadlines[0][0] - time.monotonic())
            for key, _events in self.selector.select(wait):
                self._receive(key.data)
            self._expire(time.monotonic())
        return [o if o is not None else CoaOutcome("error", "not sent") for o in self.outcomes]

    def _socket(self, family: int) -> _Socket:
        group = self.sockets.setdefault(family, [])
        for item in group:
            if item.free:
                return item
        sock = socket.socket(family, socket.SOCK_DGRAM)
        sock.setblocking(False)
        # Up to 256 answers may arrive at once on one socket; the default buffer
        # (~212 KB, ~1 KB of kernel memory per datagram) drops some of them.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        identifiers = list(range(256))
        random.shuffle(identifiers)
        item = _Socket(sock, deque(identifiers))
        group.append(item)
        self.selector.register(sock, selectors.EVENT_READ, item)
        return item

    def _start(self, index: int) -> None:
        req = self.requests[index]
        family = socket.AF_INET6 if ":" in req.host else socket.AF_INET
        try:
            item = self._socket(family)
        except OSError as exc:
            self.outcomes[index] = CoaOutcome("error", str(exc)[:255])
            return
        identifier = item.free.popleft()
        try:
            packet = codec.build_request(req.code, identifier, req.attrs, req.secret)
            if len(packet) > codec.MAX_PACKET:
                raise ValueError(f"request of {len(packet)} bytes, more than RADIUS allows")
        except (ValueError, struct.error) as exc:  # an attribute or the packet too long
            item.free.append(identifier)
            self.outcomes[index] = CoaOutcome("error", str(exc)[:255])
            return
        addr = (req.host, req.port)
        sent_at, started = time.time(), time.monotonic()
        if (error := self._transmit(item.sock, packet, addr)) is not None:
            item.free.append(identifier)
            self.outcomes[index] = CoaOutcome("error", error, sent_at)
            return
        flight = _Flight(
            index, item, packet, addr, req.secret, sent_at, started, started + self.timeout_s,
            self.attempts - 1,
        )  # fmt: skip
        self.flights[(item.sock.fileno(), identifier)] = flight
        heapq.heappush(self.deadlines, (flight.deadline, item.sock.fileno(), identifier))

    @staticmethod
    def _transmit(sock: socket.socket, packet: bytes, addr: tuple[str, int]) -> str | None:
        for _ in range(100):
            try:
                sock.sendto(packet, addr)
                return None
            except BlockingIOError:  # the send buffer is full for a moment
                time.sleep(0.001)
            except OSError as exc:
                return str(exc)[:255]
        return "send buffer full"

    def _receive(self, item: _Socket) -> None:
        fd = item.sock.fileno()
        while True:
            try:
                data, _addr = item.sock.recvfrom(4096)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # an ICMP error reported on the socket: no answer
                continue
            try:
                reply = codec.parse(data)
            except codec.PacketError:
                continue
            flight = self.flights.get((fd, reply.identifier))
            if flight is None:
                continue  # late, or never asked
            request_auth = flight.packet[4:20]
            if not codec.response_authenticator_ok(reply, request_auth, flight.secret):
                continue  # not from a NAS that knows the secret
            outcome = _classify(reply)
            if outcome is None:
                continue
            del self.flights[(fd, reply.identifier)]
            item.free.append(reply.identifier)
            self.outcomes[flight.index] = CoaOutcome(
                outcome.result, outcome.detail, flight.sent_at, time.monotonic() - flight.started
            )

    def _expire(self, now: float) -> None:
        while self.deadlines and self.deadlines[0][0] <= now:
            deadline, fd, identifier = heapq.heappop(self.deadlines)
            flight = self.flights.get((fd, identifier))
            if flight is None or flight.deadline != deadline:
                continue  # answered, or this entry is from an earlier transmission
            host, port = flight.addr
            outcome = CoaOutcome("timeout", f"no answer from {host}:{port}")
            if flight.tries_left > 0:
                flight.tries_left -= 1
                flight.deadline = now + self.timeout_s
                error = self._transmit(flight.via.sock, flight.packet, flight.addr)
                if error is None:
                    heapq.heappush(self.deadlines, (flight.deadline, fd, identifier))
                    continue
                outcome = CoaOutcome("error", error)
            del self.flights[(fd, identifier)]
            flight.via.free.append(identifier)
            self.outcomes[flight.index] = CoaOutcome(
                outcome.result, outcome.detail, flight.sent_at, now - flight.started
            )


def _classify(reply: codec.Packet) -> CoaOutcome | None:
    if reply.code in (codec.DISCONNECT_ACK, codec.COA_ACK):
        return CoaOutcome("ack")
    if reply.code in (codec.DISCONNECT_NAK, codec.COA_NAK):
        cause = reply.integer(codec.ERROR_CAUSE)
        return CoaOutcome("nak", ERROR_CAUSES.get(cause, str(cause) if cause else ""))
    return None
