"""RADIUS packet codec for the attributes on the hot path (RFC 2865, 2866,
2869, 5176).  Hand-written: parsing a request is a single pass over the
bytes, and nothing here allocates more than it must.

Every malformed packet raises ``PacketError``; callers drop it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import struct
from dataclasses import dataclass, field

ACCESS_REQUEST = 1
ACCESS_ACCEPT = 2
ACCESS_REJECT = 3
ACCOUNTING_REQUEST = 4
ACCOUNTING_RESPONSE = 5
STATUS_SERVER = 12  # RFC 5997
DISCONNECT_REQUEST = 40
DISCONNECT_ACK = 41
DISCONNECT_NAK = 42
COA_REQUEST = 43
COA_ACK = 44
COA_NAK = 45

# Attribute types (RFC 2865/2866/2869/3162/5176)
USER_NAME = 1
USER_PASSWORD = 2
CHAP_PASSWORD = 3
NAS_IP_ADDRESS = 4
NAS_PORT = 5
SERVICE_TYPE = 6
FRAMED_IP_ADDRESS = 8
FILTER_ID = 11
REPLY_MESSAGE = 18
VENDOR_SPECIFIC = 26
SESSION_TIMEOUT = 27
CALLED_STATION_ID = 30
CALLING_STATION_ID = 31
NAS_IDENTIFIER = 32
ACCT_STATUS_TYPE = 40
ACCT_DELAY_TIME = 41
ACCT_INPUT_OCTETS = 42
ACCT_OUTPUT_OCTETS = 43
ACCT_SESSION_ID = 44
ACCT_SESSION_TIME = 46
ACCT_TERMINATE_CAUSE = 49
ACCT_INPUT_GIGAWORDS = 52
ACCT_OUTPUT_GIGAWORDS = 53
EVENT_TIMESTAMP = 55
CHAP_CHALLENGE = 60
MESSAGE_AUTHENTICATOR = 80
ACCT_INTERIM_INTERVAL = 85
NAS_PORT_ID = 87
FRAMED_IPV6_PREFIX = 97  # RFC 3162 2.3
ERROR_CAUSE = 101
DELEGATED_IPV6_PREFIX = 123  # RFC 4818

VENDOR_ADSL_FORUM = 3561  # RFC 4679
AGENT_CIRCUIT_ID = 1
AGENT_REMOTE_ID = 2

ACCT_START = 1
ACCT_STOP = 2
ACCT_INTERIM = 3
ACCT_ON = 7
ACCT_OFF = 8

MAX_PACKET = 4096
_HEADER = struct.Struct("!BBH")
_MA_ZERO = b"\x50\x12" + bytes(16)


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data).digest()  # noqa: S324 - RADIUS mandates MD5 (RFC 2865)


def _hmac_md5(key: bytes, data: bytes) -> bytes:
    """Message-Authenticator (RFC 3579): HMAC-MD5 in one C call (``hmac.digest``
    skips building an HMAC object per packet)."""
    return hmac.digest(key, data, "md5")


class PacketError(ValueError):
    """The bytes are not a well-formed RADIUS packet."""


@dataclass(slots=True)
class Packet:
    code: int
    identifier: int
    authenticator: bytes
    raw: bytes
    attrs: dict[int, bytes] = field(default_factory=dict)
    vsas: list[tuple[int, int, bytes]] = field(default_factory=list)
    ma_offset: int = -1  # offset of the Message-Authenticator value, -1 if absent

    def text(self, attr: int) -> str:
        value = self.attrs.get(attr)
        return value.decode("utf-8", "replace") if value is not None else ""

    def integer(self, attr: int, default: int = 0) -> int:
        value = self.attrs.get(attr)
        if value is None or len(value) != 4:
            return default
        return int.from_bytes(value, "big")

    def vsa(self, vendor: int, attr: int) -> bytes | None:
        for v, t, value in self.vsas:
            if v == vendor and t == attr:
                return value
        return None


def parse(data: bytes) -> Packet:
    """Parse a packet; trailing bytes beyond Length are ignored (RFC 2865 3)."""
    if len(data) < 20:
        raise PacketError("shorter than a header")
    code, identifier, length = _HEADER.unpack_from(data)
    if length < 20 or length > MAX_PACKET or length > len(data):
        raise PacketError("bad length")
    packet = Packet(code, identifier, data[4:20], data[:length])
    attrs = packet.attrs
    pos = 20
    while pos < length:
        if pos + 2 > length:
            raise PacketError("truncated attribute")
        kind = data[pos]
        alen = data[pos + 1]
        if alen < 2 or pos + alen > length:
            raise PacketError("bad attribute length")
        value = data[pos + 2 : pos + alen]
        if kind == VENDOR_SPECIFIC:
            _parse_vsa(value, packet.vsas)
        elif kind == MESSAGE_AUTHENTICATOR:
            if alen != 18:
                raise PacketError("bad Message-Authenticator length")
            packet.ma_offset = pos + 2
            attrs[kind] = value
        elif kind not in attrs:
            attrs[kind] = value
        pos += alen
    return packet


def _parse_vsa(value: bytes, out: list[tuple[int, int, bytes]]) -> None:
    if len(value) < 4:
        raise PacketError("short vendor attribute")
    vendor = int.from_bytes(value[:4], "big")
    pos = 4
    # Vendors that do not use the recommended format are kept as one blob.
    while pos + 2 <= len(value):
        vlen = value[pos + 1]
        if vlen < 2 or pos + vlen > len(value):
            out.append((vendor, 0, value[4:]))
            return
        out.append((vendor, value[pos], value[pos + 2 : pos + vlen]))
        pos += vlen


# Authentication helpers ----------------------------------------------------------


def agent_ids(packet: Packet) -> tuple[str, str]:
    """The relay agent's (remote id, circuit id) as text, or ("", "") without a remote id.

    DHCP option 82 as a BRAS passes it on (RFC 4679 ADSL-Forum Agent-Remote-Id and
    Agent-Circuit-Id); ``option82`` reads the vendors' formats out of the raw bytes.
    """
    remote = packet.vsa(VENDOR_ADSL_FORUM, AGENT_REMOTE_ID)
    if not remote:
        return "", ""
    circuit = packet.vsa(VENDOR_ADSL_FORUM, AGENT_CIRCUIT_ID)
    return _agent_text(remote), _agent_text(circuit or b"")


def _agent_text(value: bytes) -> str:
    """Printable text as it is; anything else (binary TLVs) as ``0x`` hex, which keeps
    every byte (PostgreSQL text holds no NUL), reads back the same each time, and
    parses to the same port as the raw bytes."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return "0x" + value.hex()
    return text if text.isprintable() else "0x" + value.hex()


def message_authenticator_ok(
    packet: Packet, secret: bytes, authenticator: bytes | None = None
) -> bool:
    """HMAC-MD5 of the packet with the Message-Authenticator zeroed (RFC 3579).
    ``authenticator`` replaces the header's (zeros for CoA requests, the
    request's for replies)."""
    if packet.ma_offset < 0:
        return False
    raw = packet.raw
    off = packet.ma_offset
    auth = packet.authenticator if authenticator is None else authenticator
    signed = raw[:4] + auth + raw[20:off] + bytes(16) + raw[off + 16 :]
    expected = _hmac_md5(secret, signed)
    return hmac.compare_digest(expected, raw[off : off + 16])


def request_authenticator_ok(packet: Packet, secret: bytes) -> bool:
    """Accounting-Request / CoA / Disconnect: MD5 over the packet with a zero
    authenticator, plus the secret (RFC 2866 3, RFC 5176 3.5)."""
    raw = packet.raw
    expected = _md5(raw[:4] + bytes(16) + raw[20:] + secret)
    return hmac.compare_digest(expected, packet.authenticator)


def response_authenticator_ok(reply: Packet, request_authenticator: bytes, secret: bytes) -> bool:
    raw = reply.raw
    expected = _md5(raw[:4] + request_authenticator + raw[20:] + secret)
    return hmac.compare_digest(expected, reply.authenticator)


def decrypt_password(hidden: bytes, secret: bytes, authenticator: bytes) -> bytes:
    """User-Password (RFC 2865 5.2): undo the MD5 stream cipher."""
    if not hidden or len(hidden) % 16 or len(hidden) > 128:
        raise PacketError("bad User-Password length")
    out = bytearray()
    last = authenticator
    for i in range(0, len(hidden), 16):
        chunk = hidden[i : i + 16]
        key = _md5(secret + last)
        out += (int.from_bytes(chunk, "big") ^ int.from_bytes(key, "big")).to_bytes(16, "big")
        last = chunk
    return bytes(out).rstrip(b"\x00")


def encrypt_password(clear: bytes, secret: bytes, authenticator: bytes) -> bytes:
    """The inverse of ``decrypt_password`` (for clients and tests)."""
    padded = clear + bytes(-len(clear) % 16 or (16 if not clear else 0))
    out = bytearray()
    last = authenticator
    for i in range(0, len(padded), 16):
        key = _md5(secret + last)
        chunk = (int.from_bytes(padded[i : i + 16], "big") ^ int.from_bytes(key, "big")).to_bytes(
            16, "big"
        )
        out += chunk
        last = chunk
    return bytes(out)


def chap_ok(chap_password: bytes, clear: bytes, challenge: bytes) -> bool:
    """CHAP-Password = ident + MD5(ident + secret + challenge) (RFC 1994)."""
    if len(chap_password) != 17:
        return False
    expected = _md5(chap_password[:1] + clear + challenge)
    return hmac.compare_digest(expected, chap_password[1:])


# Encoding -----------------------------------------------------------------------


def attr(kind: int, value: bytes) -> bytes:
    if len(value) > 253:
        raise ValueError("attribute value longer than 253 octets")
    return bytes((kind, len(value) + 2)) + value


def attr_int(kind: int, value: int) -> bytes:
    return bytes((kind, 6)) + (value & 0xFFFFFFFF).to_bytes(4, "big")


def attr_text(kind: int, value: str) -> bytes:
    return attr(kind, value.encode()[:253])


def ipv6_prefix_value(network: ipaddress.IPv6Network) -> bytes:
    """The value of Framed-IPv6-Prefix (RFC 3162 2.3) or Delegated-IPv6-Prefix
    (RFC 4818 3): a reserved zero octet, the prefix length, then only the
    octets that hold prefix bits (both RFCs allow 0 to 16 octets)."""
    length = network.prefixlen
    return bytes((0, length)) + network.network_address.packed[: (length + 7) // 8]


def attr_ipv6_prefix(kind: int, network: ipaddress.IPv6Network) -> bytes:
    return attr(kind, ipv6_prefix_value(network))


def parse_ipv6_prefix(value: bytes) -> ipaddress.IPv6Network | None:
    """The prefix in a Framed/Delegated-IPv6-Prefix value, or None if malformed
    (wrong length, non-zero reserved octet, bits set beyond the length)."""
    if len(value) < 2 or len(value) > 18 or value[0] != 0:
        return None
    length = value[1]
    octets = value[2:]
    if length > 128 or len(octets) * 8 < length:
        return None
    try:
        return ipaddress.IPv6Network((octets.ljust(16, b"\x00"), length), strict=True)
    except ValueError:
        return None


def vsa(vendor: int, kind: int, value: bytes) -> bytes:
    return attr(VENDOR_SPECIFIC, vendor.to_bytes(4, "big") + bytes((kind, len(value) + 2)) + value)


def build_reply(
    code: int,
    identifier: int,
    request_authenticator: bytes,
    attrs: bytes,
    secret: bytes,
    *,
    to_status_server: bool = False,
) -> bytes:
    """A response with Message-Authenticator first (BlastRADIUS mitigation),
    then the Response Authenticator over the whole packet.  Accounting
    responses sign the Message-Authenticator over a zero authenticator, as
    FreeRADIUS does, except in answer to Status-Server, whose random
    authenticator is signed like an Access-Request's (RFC 5997 3)."""
    length = 20 + 18 + len(attrs)
    if length > MAX_PACKET:
        raise ValueError("reply too long")
    header = _HEADER.pack(code, identifier, length)
    zero_signed = code == ACCOUNTING_RESPONSE and not to_status_server
    signed_auth = bytes(16) if zero_signed else request_authenticator
    mac = _hmac_md5(secret, header + signed_auth + _MA_ZERO + attrs)
    body = b"\x50\x12" + mac + attrs
    response_auth = _md5(header + request_authenticator + body + secret)
    return header + response_auth + body


def build_request(
    code: int, identifier: int, attrs: bytes, secret: bytes, *, authenticator: bytes | None = None
) -> bytes:
    """A client request.  Access-Request and Status-Server: random
    authenticator and Message-Authenticator.  Accounting/CoA/Disconnect: the
    authenticator is MD5 over the packet (Message-Authenticator computed with
    zeros first)."""
    length = 20 + 18 + len(attrs)
    header = _HEADER.pack(code, identifier, length)
    if code in (ACCESS_REQUEST, STATUS_SERVER):
        auth = authenticator or os.urandom(16)
        mac = _hmac_md5(secret, header + auth + _MA_ZERO + attrs)
        return header + auth + b"\x50\x12" + mac + attrs
    mac = _hmac_md5(secret, header + bytes(16) + _MA_ZERO + attrs)
    body = b"\x50\x12" + mac + attrs
    auth = _md5(header + bytes(16) + body + secret)
    return header + auth + body
