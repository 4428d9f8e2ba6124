"""Option 82 in the access decision: one key per switch port whatever the
encoding, an unknown format refused with its reason, and a port that two
bindings of different customers claim matched by neither (no database)."""

from __future__ import annotations

from lastmile.aaa.decision import Credentials, decide, identify
from lastmile.aaa.policy import Refusal
from lastmile.aaa.ports import bindings_by_port, port_key
from lastmile.aaa.state import CustomerInfo, NasInfo, State

# Cisco/D-Link default layout (RFC 3046 sub-options as the switch sends them):
# circuit-id type 0, length 4, VLAN 100, module 1, port 5; remote-id type 0,
# length 6, the switch MAC.
CIRCUIT = bytes.fromhex("000400640105")
REMOTE = bytes.fromhex("0006001122334455")


def _state(*bindings: tuple[int, str, str]) -> State:
    state = State()
    for customer_id, _r, _c in bindings:
        state.customers[customer_id] = CustomerInfo(customer_id, f"c{customer_id}", "", True, None)
    state.binding_by_port = bindings_by_port(bindings)
    return state


def _creds(remote: bytes | str, circuit: bytes | str) -> Credentials:
    creds = Credentials(login="")
    creds.port, creds.port_error = port_key(remote, circuit)
    return creds


def test_the_same_port_matches_as_bytes_hex_or_text():
    state = _state((7, "0x0006001122334455", "0x000400640105"))
    spellings: list[tuple[bytes | str, bytes | str]] = [
        (REMOTE, CIRCUIT),
        ("0x0006001122334455", "0x000400640105"),
        ("00 06 00 11 22 33 44 55", "00:04:00:64:01:05"),
    ]
    for remote, circuit in spellings:
        customer, refusal = identify(state, _creds(remote, circuit))
        assert (customer.id if customer else None, refusal) == (7, None), (remote, circuit)


def test_another_port_of_the_same_switch_is_not_the_customer():
    state = _state((7, "0x0006001122334455", "0x000400640105"))
    customer, refusal = identify(state, _creds(REMOTE, bytes.fromhex("000400640106")))
    assert (customer, refusal) == (None, Refusal.UNKNOWN_LOGIN)


def test_an_unknown_format_is_refused_with_its_reason():
    state = _state((7, "0x0006001122334455", "0x000400640105"))
    creds = _creds(b"\xff\xfe\x00", b"\x01")
    assert "no_match" in creds.port_error
    decision = decide(state, NasInfo(1, "127.0.0.1", b"s", "generic", False, 3799), creds, 0.0)
    assert decision.refusal == Refusal.UNKNOWN_PORT
    assert "no_match" in decision.detail


def test_a_value_kept_as_text_matches_only_the_same_text():
    state = _state((7, "\xff-odd", "x"))
    customer, _refusal = identify(state, _creds("\xff-odd", "x"))
    assert customer is not None and customer.id == 7
    assert identify(state, _creds("\xff-odd", "y")) == (None, Refusal.UNKNOWN_PORT)


def test_one_port_bound_to_two_customers_in_two_encodings_matches_neither():
    by_port = bindings_by_port(
        [
            (7, "0x0006001122334455", "0x000400640105"),
            (8, "00:06:00:11:22:33:44:55", "000400640105"),
        ]
    )
    assert by_port == {}
    assert bindings_by_port([(7, "0x0006001122334455", "0x000400640105")] * 2) != {}
