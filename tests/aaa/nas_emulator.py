"""A NAS that answers Disconnect-Request and CoA-Request over real UDP."""

from __future__ import annotations

import hashlib
import socket
import threading
from typing import Self

from lastmile.radius import codec


class UdpPeer:
    """A UDP peer on a free loopback port, serving ``_serve`` in a thread while
    it is used as a context manager."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()

    def _serve(self) -> None:
        raise NotImplementedError

    @staticmethod
    def answer(packet: codec.Packet, code: int, secret: bytes, attrs: bytes = b"") -> bytes:
        """A reply to ``packet`` signed with ``secret`` (RFC 5176 Response Authenticator)."""
        header = bytes((code, packet.identifier)) + (20 + len(attrs)).to_bytes(2, "big")
        return header + hashlib.md5(header + packet.authenticator + attrs + secret).digest() + attrs


class NasEmulator(UdpPeer):
    """Answers per ``mode``: "ack", "nak" (with Error-Cause ``nak_cause``), "silent",
    "garbage" (bytes that are no RADIUS packet) or "wrong-auth" (an ACK signed
    with another secret).  ``coa_mode`` overrides the mode for CoA-Requests (a NAS
    that refuses CoA but accepts Disconnect)."""

    def __init__(
        self,
        secret: bytes = b"testing123",
        mode: str = "ack",
        *,
        coa_mode: str | None = None,
        nak_cause: int = 503,
    ) -> None:
        self.secret = secret
        self.mode = mode
        self.coa_mode = coa_mode
        self.nak_cause = nak_cause
        self.received: list[codec.Packet] = []
        super().__init__()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            packet = codec.parse(data)
            if not codec.request_authenticator_ok(packet, self.secret):
                continue
            if not codec.message_authenticator_ok(packet, self.secret, bytes(16)):
                continue
            self.received.append(packet)
            mode = self.mode
            if packet.code == codec.COA_REQUEST and self.coa_mode is not None:
                mode = self.coa_mode
            if mode == "silent":
                continue
            if mode == "garbage":
                self.sock.sendto(b"\x2b" + bytes([packet.identifier]) + b"not radius", addr)
                continue
            ack = (
                packet.code == codec.DISCONNECT_REQUEST and codec.DISCONNECT_ACK
            ) or codec.COA_ACK
            nak = (
                packet.code == codec.DISCONNECT_REQUEST and codec.DISCONNECT_NAK
            ) or codec.COA_NAK
            code = nak if mode == "nak" else ack
            attrs = codec.attr_int(codec.ERROR_CAUSE, self.nak_cause) if mode == "nak" else b""
            secret = b"not-the-secret" if mode == "wrong-auth" else self.secret
            self.sock.sendto(self.answer(packet, code, secret, attrs), addr)
