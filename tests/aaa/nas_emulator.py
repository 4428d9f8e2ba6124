"""A NAS that answers Disconnect-Request and CoA-Request over real UDP."""

from __future__ import annotations

import hashlib
import socket
import threading

from lastmile.radius import codec


class NasEmulator:
    """Answers ACK, NAK (with Error-Cause) or nothing, per ``mode``."""

    def __init__(self, secret: bytes = b"testing123", mode: str = "ack") -> None:
        self.secret = secret
        self.mode = mode
        self.received: list[codec.Packet] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> NasEmulator:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()

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
            if self.mode == "silent":
                continue
            ack = (
                packet.code == codec.DISCONNECT_REQUEST and codec.DISCONNECT_ACK
            ) or codec.COA_ACK
            nak = (
                packet.code == codec.DISCONNECT_REQUEST and codec.DISCONNECT_NAK
            ) or codec.COA_NAK
            code = ack if self.mode == "ack" else nak
            attrs = codec.attr_int(codec.ERROR_CAUSE, 503) if self.mode == "nak" else b""
            length = 20 + len(attrs)
            header = bytes((code, packet.identifier)) + length.to_bytes(2, "big")
            auth = hashlib.md5(header + packet.authenticator + attrs + self.secret).digest()
            self.sock.sendto(header + auth + attrs, addr)
