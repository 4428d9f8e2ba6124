"""The one place that sends Dynamic Authorization requests (RFC 5176):
Disconnect-Request and CoA-Request to a NAS, waiting for its ACK/NAK."""

from __future__ import annotations

import ipaddress
import os
import socket
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
    identifier = os.urandom(1)[0]
    packet = codec.build_request(code, identifier, attrs, secret)
    request_auth = packet[4:20]
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.settimeout(timeout_s)
            for _ in range(max(1, attempts)):
                sock.sendto(packet, (host, port))
                outcome = _wait_answer(sock, identifier, request_auth, secret)
                if outcome is not None:
                    return outcome
    except OSError as exc:
        return CoaOutcome("error", str(exc)[:255])
    return CoaOutcome("timeout", f"no answer from {host}:{port}")


def _wait_answer(
    sock: socket.socket, identifier: int, request_auth: bytes, secret: bytes
) -> CoaOutcome | None:
    while True:
        try:
            data, _ = sock.recvfrom(4096)
        except TimeoutError:
            return None
        try:
            reply = codec.parse(data)
        except codec.PacketError:
            continue
        if reply.identifier != identifier:
            continue
        if not codec.response_authenticator_ok(reply, request_auth, secret):
            continue  # not from a NAS that knows the secret
        if reply.code in (codec.DISCONNECT_ACK, codec.COA_ACK):
            return CoaOutcome("ack")
        if reply.code in (codec.DISCONNECT_NAK, codec.COA_NAK):
            cause = reply.integer(codec.ERROR_CAUSE)
            return CoaOutcome("nak", ERROR_CAUSES.get(cause, str(cause) if cause else ""))
