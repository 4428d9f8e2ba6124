"""``coa.send_many`` over real UDP: many requests in flight from one thread, the
answers out of order, garbage and forged answers ignored, silence a timeout."""

from __future__ import annotations

import socket

from lastmile.radius import coa, codec
from tests.aaa.nas_emulator import UdpPeer

SECRET = b"testing123"


class _ReorderingNas(UdpPeer):
    """Collects ``batch`` distinct requests (a retransmission under load is not a
    new one), then answers them in reverse order; before the right answer to
    ``forged`` it sends garbage and an ACK signed with another secret, both with
    that request's identifier; ``silent`` gets nothing."""

    def __init__(self, batch: int, *, forged: str, silent: str, nak: str) -> None:
        self.batch, self.forged, self.silent, self.nak = batch, forged, silent, nak
        self.received: list[str] = []
        super().__init__()
        # 300 requests arrive in one burst: room for all of them at once.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)

    def _answer(self, packet: codec.Packet, code: int, secret: bytes = SECRET) -> bytes:
        attrs = codec.attr_int(codec.ERROR_CAUSE, 503) if code == codec.DISCONNECT_NAK else b""
        return self.answer(packet, code, secret, attrs)

    def _serve(self) -> None:
        held: dict[str, tuple[codec.Packet, tuple[str, int]]] = {}
        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            packet = codec.parse(data)
            sid = packet.text(codec.ACCT_SESSION_ID)
            self.received.append(sid)
            if sid != self.silent:
                held.setdefault(sid, (packet, addr))
            if len(held) < self.batch:
                continue
            for packet, addr in reversed(list(held.values())):
                sid = packet.text(codec.ACCT_SESSION_ID)
                if sid == self.forged:
                    self.sock.sendto(bytes([codec.DISCONNECT_ACK, packet.identifier]) + b"??", addr)
                    self.sock.sendto(self._answer(packet, codec.DISCONNECT_ACK, b"other"), addr)
                code = codec.DISCONNECT_NAK if sid == self.nak else codec.DISCONNECT_ACK
                self.sock.sendto(self._answer(packet, code), addr)
            held = {}
            self.batch = 10**9  # answer the first batch only, then stay silent


def _requests(port: int, count: int) -> list[coa.CoaRequest]:
    return [
        coa.CoaRequest(
            "127.0.0.1",
            port,
            SECRET,
            codec.DISCONNECT_REQUEST,
            coa.session_identity(acct_session_id=f"S{n}", login=f"user{n}"),
        )
        for n in range(count)
    ]


def test_many_requests_in_flight_are_matched_to_their_answers_out_of_order() -> None:
    count = 300  # more than one socket's 256 identifiers
    with _ReorderingNas(count - 1, forged="S7", silent="S11", nak="S12") as nas:
        outcomes = coa.send_many(
            _requests(nas.port, count), timeout_s=3.0, attempts=2, parallel=count
        )
    assert [o.result for o in outcomes].count("ack") == count - 2
    assert outcomes[7].result == "ack"  # garbage and a forged ACK came first
    assert (outcomes[12].result, outcomes[12].detail) == ("nak", "Session-Context-Not-Found")
    assert outcomes[11].result == "timeout"
    assert nas.received.count("S11") == 2  # sent again, then given up
    assert all(o.sent_at > 0 for o in outcomes)


def test_only_garbage_or_a_forged_answer_is_no_answer() -> None:
    with _ReorderingNas(1, forged="S0", silent="", nak="") as nas:
        nas.forged = "S0"
        outcomes = coa.send_many(_requests(nas.port, 1), timeout_s=0.5, attempts=1)
    assert outcomes[0].result == "ack"
    with _ReorderingNas(1, forged="", silent="S0", nak="") as nas:
        outcomes = coa.send_many(_requests(nas.port, 1), timeout_s=0.3, attempts=1)
    assert outcomes[0].result == "timeout"


def test_a_request_that_cannot_be_built_or_sent_is_an_error_and_the_rest_go_out() -> None:
    with _ReorderingNas(2, forged="", silent="", nak="") as nas:
        good = _requests(nas.port, 2)
        too_long = coa.CoaRequest(
            "127.0.0.1", nas.port, SECRET, codec.DISCONNECT_REQUEST, b"\x2c\xff" + b"x" * 4200
        )
        unroutable = coa.CoaRequest("127.0.0.1", 0, SECRET, 40, good[0].attrs)
        outcomes = coa.send_many([good[0], too_long, unroutable, good[1]], timeout_s=0.5)
    assert [o.result for o in outcomes] == ["ack", "error", "error", "ack"]


def test_nothing_to_send_sends_nothing() -> None:
    assert coa.send_many([]) == []
