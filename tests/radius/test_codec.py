"""The RADIUS codec: round trips, authenticators, and garbage never crashes it."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from lastmile.radius import codec, profiles

SECRET = b"testing123"


@given(st.binary(max_size=5000))
@settings(max_examples=500)
def test_parse_rejects_garbage_with_packet_error_only(data):  # type: ignore[no-untyped-def]
    with contextlib.suppress(codec.PacketError):
        codec.parse(data)


@given(
    st.lists(
        st.tuples(st.integers(1, 255).filter(lambda t: t not in (26, 80)), st.binary(max_size=40)),
        max_size=20,
    ),
    st.integers(0, 255),
)
def test_request_round_trip_and_authenticators(attrs, ident):  # type: ignore[no-untyped-def]
    body = b"".join(codec.attr(t, v) for t, v in attrs)
    raw = codec.build_request(codec.ACCOUNTING_REQUEST, ident, body, SECRET)
    packet = codec.parse(raw)
    assert packet.identifier == ident
    assert codec.request_authenticator_ok(packet, SECRET)
    assert not codec.request_authenticator_ok(packet, b"other")
    assert codec.message_authenticator_ok(packet, SECRET, bytes(16))
    for t, v in attrs:
        assert packet.attrs[t] == next(v2 for t2, v2 in attrs if t2 == t)


@given(
    st.binary(max_size=128).map(lambda b: b.rstrip(b"\x00")), st.binary(min_size=16, max_size=16)
)
def test_pap_password_round_trip(clear, authenticator):  # type: ignore[no-untyped-def]
    hidden = codec.encrypt_password(clear, SECRET, authenticator)
    assert len(hidden) % 16 == 0
    assert codec.decrypt_password(hidden, SECRET, authenticator) == clear


def test_reply_is_signed_with_message_authenticator_first() -> None:
    request = codec.parse(
        codec.build_request(codec.ACCESS_REQUEST, 7, codec.attr_text(1, "u"), SECRET)
    )
    reply_raw = codec.build_reply(
        codec.ACCESS_ACCEPT, 7, request.authenticator, codec.attr_int(27, 60), SECRET
    )
    reply = codec.parse(reply_raw)
    assert reply_raw[20] == codec.MESSAGE_AUTHENTICATOR
    assert codec.response_authenticator_ok(reply, request.authenticator, SECRET)
    assert codec.message_authenticator_ok(reply, SECRET, request.authenticator)
    assert codec.message_authenticator_ok(request, SECRET)
    assert not codec.message_authenticator_ok(request, b"wrong")


def test_chap() -> None:
    challenge = os.urandom(16)
    response = bytes([9]) + hashlib.md5(bytes([9]) + b"secret" + challenge).digest()
    assert codec.chap_ok(response, b"secret", challenge)
    assert not codec.chap_ok(response, b"Secret", challenge)
    assert not codec.chap_ok(response[:5], b"secret", challenge)


def test_vendor_attributes_and_split_rate() -> None:
    rate = profiles.Rate(100000, 50000).split(2)
    mikrotik = codec.parse(
        codec.build_request(4, 1, profiles.speed_attributes("mikrotik", rate), SECRET)
    )
    assert mikrotik.vsa(14988, 8) == b"25000k/50000k"
    accel = codec.parse(
        codec.build_request(4, 1, profiles.speed_attributes("accel-ppp", rate), SECRET)
    )
    assert accel.integer(profiles.PPPD_UPSTREAM_SPEED_LIMIT) == 25000
    assert accel.integer(profiles.PPPD_DOWNSTREAM_SPEED_LIMIT) == 50000
    assert profiles.speed_attributes("generic", rate) == b""


def test_shipped_dictionaries_agree_with_the_codec() -> None:
    folder = Path(codec.__file__).parent / "dictionaries"
    names: dict[str, int] = {}
    for path in folder.glob("dictionary.*"):
        for line in path.read_text().splitlines():
            parts = line.split()
            if parts[:1] == ["ATTRIBUTE"]:
                names[parts[1]] = int(parts[2])
    assert names["Framed-IP-Address"] == codec.FRAMED_IP_ADDRESS
    assert names["Acct-Input-Gigawords"] == codec.ACCT_INPUT_GIGAWORDS
    assert names["Message-Authenticator"] == codec.MESSAGE_AUTHENTICATOR
    assert names["Mikrotik-Rate-Limit"] == profiles.MIKROTIK_RATE_LIMIT
    assert names["PPPD-Upstream-Speed-Limit"] == profiles.PPPD_UPSTREAM_SPEED_LIMIT
    assert names["ADSL-Agent-Remote-Id"] == codec.AGENT_REMOTE_ID
    includes = (folder / "dictionary").read_text()
    for path in folder.glob("dictionary.*"):
        assert path.name in includes


def test_option_82_agent_ids_come_as_text_and_need_a_remote_id() -> None:
    def request(*vsas: tuple[int, bytes]) -> codec.Packet:
        attrs = b"".join(codec.vsa(codec.VENDOR_ADSL_FORUM, kind, value) for kind, value in vsas)
        return codec.parse(codec.build_request(codec.ACCESS_REQUEST, 1, attrs, SECRET))

    both = request((codec.AGENT_CIRCUIT_ID, b"eth1/0/5"), (codec.AGENT_REMOTE_ID, b"sw-7"))
    assert codec.agent_ids(both) == ("sw-7", "eth1/0/5")
    assert codec.agent_ids(request((codec.AGENT_REMOTE_ID, b"sw-7"))) == ("sw-7", "")
    assert codec.agent_ids(request((codec.AGENT_CIRCUIT_ID, b"eth1/0/5"))) == ("", "")
    # Binary TLVs (NUL bytes, invalid UTF-8) come as 0x hex, the same each time.
    binary = request(
        (codec.AGENT_CIRCUIT_ID, bytes.fromhex("000400640105")),
        (codec.AGENT_REMOTE_ID, bytes.fromhex("0006001122334455")),
    )
    assert codec.agent_ids(binary) == ("0x0006001122334455", "0x000400640105")
    assert codec.agent_ids(request((codec.AGENT_REMOTE_ID, b"\xff\xfe"))) == ("0xfffe", "")


def test_replies_to_status_server_sign_over_the_request_authenticator() -> None:
    probe = codec.parse(codec.build_request(codec.STATUS_SERVER, 9, b"", SECRET))
    assert probe.authenticator != bytes(16)  # random, like an Access-Request's
    assert codec.message_authenticator_ok(probe, SECRET)
    for code in (codec.ACCESS_ACCEPT, codec.ACCOUNTING_RESPONSE):
        reply = codec.parse(
            codec.build_reply(code, 9, probe.authenticator, b"", SECRET, to_status_server=True)
        )
        assert codec.message_authenticator_ok(reply, SECRET, authenticator=probe.authenticator)
        assert codec.response_authenticator_ok(reply, probe.authenticator, SECRET)
    # An ordinary Accounting-Response signs over zeros instead.
    plain = codec.parse(
        codec.build_reply(codec.ACCOUNTING_RESPONSE, 9, probe.authenticator, b"", SECRET)
    )
    assert codec.message_authenticator_ok(plain, SECRET, authenticator=bytes(16))


# IPv6 prefixes (RFC 3162 2.3, RFC 4818 3) ----------------------------------------
# Layout from the RFCs: Type, Length, Reserved (0), Prefix-Length, Prefix octets.


def test_framed_ipv6_prefix_bytes_for_a_64():
    import ipaddress

    got = codec.attr_ipv6_prefix(
        codec.FRAMED_IPV6_PREFIX, ipaddress.IPv6Network("2001:db8:100:2a::/64")
    )
    assert got == bytes.fromhex("61 0c 00 40 20010db80100002a")


def test_delegated_ipv6_prefix_bytes_for_a_56_carry_only_seven_octets():
    import ipaddress

    got = codec.attr_ipv6_prefix(
        codec.DELEGATED_IPV6_PREFIX, ipaddress.IPv6Network("2001:db8:1ff:ff00::/56")
    )
    assert got == bytes.fromhex("7b 0b 00 38 20010db801ffff")


def test_ipv6_prefix_value_round_trip_and_rejects_malformed():
    import ipaddress

    for text in ("::/0", "2001:db8::/32", "2001:db8:0:1::/64", "2001:db8::1/128", "2001:db8::/57"):
        net = ipaddress.IPv6Network(text)
        assert codec.parse_ipv6_prefix(codec.ipv6_prefix_value(net)) == net
    # A full 16-octet prefix field is legal too.
    assert codec.parse_ipv6_prefix(bytes((0, 64)) + bytes.fromhex("20010db8" + "00" * 12)) == (
        ipaddress.IPv6Network("2001:db8::/64")
    )
    assert codec.parse_ipv6_prefix(b"\x01\x40" + bytes(8)) is None  # reserved octet set
    assert codec.parse_ipv6_prefix(b"\x00\x81" + bytes(16)) is None  # length > 128
    assert codec.parse_ipv6_prefix(b"\x00\x40" + bytes(4)) is None  # too few octets
    assert codec.parse_ipv6_prefix(b"\x00\x30" + bytes.fromhex("20010db80001")) is not None
    assert codec.parse_ipv6_prefix(b"\x00\x20" + bytes.fromhex("20010db801")) is None  # host bits
    assert codec.parse_ipv6_prefix(b"\x00") is None
