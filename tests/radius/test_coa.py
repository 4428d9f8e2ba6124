"""The Dynamic Authorization client's packets (RFC 5176), without a network."""

from __future__ import annotations

from lastmile.radius import coa, codec

SECRET = b"testing123"


def _attrs(identity: bytes) -> codec.Packet:
    return codec.parse(codec.build_request(codec.DISCONNECT_REQUEST, 1, identity, SECRET))


def test_session_identity_names_the_session_its_login_and_ipv4_address() -> None:
    packet = _attrs(
        coa.session_identity(acct_session_id="81a0002f", login="user1", address="10.0.0.7")
    )
    assert packet.text(codec.ACCT_SESSION_ID) == "81a0002f"
    assert packet.text(codec.USER_NAME) == "user1"
    assert packet.attrs[codec.FRAMED_IP_ADDRESS] == bytes((10, 0, 0, 7))
    assert codec.request_authenticator_ok(packet, SECRET)


def test_session_identity_leaves_out_what_is_unknown_or_ipv6() -> None:
    for address in (None, "", "2001:db8::7"):
        packet = _attrs(coa.session_identity(acct_session_id="s1", address=address))
        assert set(packet.attrs) == {codec.ACCT_SESSION_ID, codec.MESSAGE_AUTHENTICATOR}
