"""ZTE C320: SNMP against snmpsim (zte_c320.snmprec), the CLI against the telnet peer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from lastmile.drivers import base
from lastmile.drivers.base import BadInput, CliCredentials, DeviceError, DeviceUnreachable
from lastmile.drivers.sim import Agent, free_tcp_port
from lastmile.drivers.sim.zte_cli import OltState, ZteCliPeer, zte_cli_peer
from lastmile.drivers.zte import (
    RegistrationFailed,
    ZteC320,
    decode_olt_rx,
    decode_onu_power,
    decode_serial,
    fiber_ifindex,
    fiber_name,
    parse_onu_vlans,
)

from .conftest import run, target_for

ZTE = ZteC320()


# -- golden: decoders --------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "dbm"),
    [
        (0, -30.0),
        (1, -29.998),
        (15000, 0.0),
        (29000, 28.0),
        (30000, 30.0),
        (30001, None),
        (45000, None),
        (59999, None),
        (60000, -41.068),
        (65000, -31.068),
        (65533, -30.002),
        (65534, -30.0),
        (65535, None),
        (-1, None),
        (70000, None),
        (None, None),
        (b"\x00", None),
    ],
)
def test_zte_onu_power_decoding(raw: object, dbm: float | None) -> None:
    assert decode_onu_power(raw) == dbm


@pytest.mark.parametrize(
    ("raw", "dbm"), [(-21500, -21.5), (0, 0.0), (-80000, None), (-90000, None), (65535, None)]
)
def test_zte_olt_rx_decoding(raw: int, dbm: float | None) -> None:
    assert decode_olt_rx(raw) == dbm


def test_zte_serial_and_fiber_index() -> None:
    assert decode_serial(bytes.fromhex("5a544547c0a10001")) == "ZTEGC0A10001"
    assert fiber_ifindex("gpon-olt_1/1/1") == 268501248
    assert fiber_name(268501248) == "gpon-olt_1/1/1"
    assert fiber_name(fiber_ifindex("gpon-olt_1/2/16")) == "gpon-olt_1/2/16"
    with pytest.raises(BadInput):
        fiber_ifindex("epon0/1")


def test_every_vlan_of_an_onu_including_the_last_one() -> None:
    """The old system dropped an ONU's last VLAN; this output ends on it, no newline."""
    text = (
        "interface gpon-onu_1/1/1:2\n"
        "  tcont 1 profile 100M\n"
        "  service-port 1 vport 1 user-vlan 100 vlan 100\n"
        "  service-port 2 vport 1 user-vlan 200 vlan 200\n"
        "  switchport vlan 300-302,310 tag vport 1"
    )
    assert parse_onu_vlans(text) == (100, 200, 300, 301, 302, 310)
    assert parse_onu_vlans("  vlan port eth_0/1 mode tag vlan 42") == (42,)
    assert parse_onu_vlans("") == ()


# -- SNMP ------------------------------------------------------------------
def test_fibers(agent: Agent) -> None:
    fibers = run(ZTE.fibers(target_for(agent, "zte_c320")))
    assert [(f.name, f.onu_count, f.link.value) for f in fibers] == [
        ("gpon-olt_1/1/1", 3, "up"),
        ("gpon-olt_1/1/2", 1, "up"),
        ("gpon-olt_1/2/1", 0, "down"),
    ]


def test_onus_with_signal_and_names(agent: Agent) -> None:
    onus = run(ZTE.onus(target_for(agent, "zte_c320")))
    by = {(o.fiber, o.number): o for o in onus}
    assert len(onus) == 4
    one = by[("gpon-olt_1/1/1", 1)]
    assert (one.serial, one.name, one.description, one.model, one.status) == (
        "ZTEGC0A10001",
        "ivanov-12",
        "Lenina 1 kv 12",
        "ZTE-F601",
        "working",
    )
    assert (one.rx_dbm, one.tx_dbm, one.olt_rx_dbm) == (28.0, -27.8, -21.5)
    assert by[("gpon-olt_1/1/1", 2)].rx_dbm == -31.068  # 65000: a wrapped negative reading
    dark = by[("gpon-olt_1/1/1", 3)]
    assert (dark.status, dark.rx_dbm, dark.tx_dbm, dark.olt_rx_dbm) == ("los", None, None, None)
    assert by[("gpon-olt_1/1/2", 1)].rx_dbm == -30.0  # raw 0
    only = run(ZTE.onus(target_for(agent, "zte_c320"), fiber="gpon-olt_1/1/2"))
    assert [o.serial for o in only] == ["ZTEGC0A20001"]


def test_unregistered_onus(agent: Agent) -> None:
    waiting = run(ZTE.unregistered_onus(target_for(agent, "zte_c320")))
    assert [(o.fiber, o.serial, o.number) for o in waiting] == [
        ("gpon-olt_1/1/1", "ZTEGC0FFEE01", None),
        ("gpon-olt_1/1/2", "ZTEGC0FFEE02", None),
    ]


def test_find_onu(agent: Agent) -> None:
    t = target_for(agent, "zte_c320")
    assert run(ZTE.find_onu(t, serial="ztegc0a20001")).number == 1  # type: ignore[union-attr]
    assert run(ZTE.find_onu(t, serial="ZTEGC0FFEE02")).number is None  # type: ignore[union-attr]
    assert run(ZTE.find_onu(t, serial="ZTEG00000000")) is None
    with pytest.raises(BadInput, match="not a GPON serial"):
        run(ZTE.find_onu(t, serial="ZTEG-123"))


def test_poll_and_details(agent: Agent) -> None:
    t = target_for(agent, "zte_c320")
    poll = run(ZTE.poll(t))
    assert poll.uptime_s == 1234567
    assert [(p.number, p.link.value) for p in poll.ports] == [
        (268501248, "up"),
        (268501504, "up"),
        (268566784, "down"),
    ]
    assert run(ZTE.details(t)).model == "C320"
    assert base.get("zte_c320").is_olt


# -- CLI -------------------------------------------------------------------
@pytest.fixture
def peer() -> Iterator[ZteCliPeer]:
    with zte_cli_peer(OltState.demo()) as p:
        yield p


def cli_target(peer: ZteCliPeer, **extra: object) -> base.Target:
    return base.Target(
        host=peer.host,
        cli=CliCredentials(username="zte", password="zte", port=peer.port),
        timeout_s=2.0,
        extra=extra,
    )


def test_register_onu_and_read_it_back(peer: ZteCliPeer) -> None:
    t = cli_target(peer)
    onu = run(
        ZTE.register_onu(
            t,
            fiber="gpon-olt_1/1/1",
            serial="ZTEGC0FFEE01",
            template="f601-bridge",
            params={"vlan": 150, "name": "kozlov-3", "description": "Mira 5 kv 3"},
        )
    )
    assert (onu.fiber, onu.number, onu.serial, onu.name) == (
        "gpon-olt_1/1/1",
        4,
        "ZTEGC0FFEE01",
        "kozlov-3",
    )
    assert onu.vlans == (150,)
    # the peer's state, not the driver's word
    stored = peer.state.fibers["1/1/1"][4]
    assert (stored.sn, stored.type, stored.name, stored.description) == (
        "ZTEGC0FFEE01",
        "ZTE-F601",
        "kozlov-3",
        "Mira 5 kv 3",
    )
    assert "service-port 1 vport 1 user-vlan 150 vlan 150" in stored.lines
    assert "vlan port eth_0/1 mode tag vlan 150" in stored.mng
    assert "ZTEGC0FFEE01" not in peer.state.uncfg["1/1/1"]
    assert run(ZTE.onu_vlans(t, fiber="gpon-olt_1/1/1", number=4)) == (150,)


def test_onu_vlans_over_the_cli_include_the_last_one(peer: ZteCliPeer) -> None:
    vlans = run(ZTE.onu_vlans(cli_target(peer), fiber="gpon-olt_1/1/1", number=2))
    assert vlans == (100, 200, 300, 301, 302, 310)


def test_register_on_a_full_fiber_changes_nothing(peer: ZteCliPeer) -> None:
    before = len(peer.state.log)
    with pytest.raises(RegistrationFailed, match="full") as info:
        run(
            ZTE.register_onu(
                cli_target(peer),
                fiber="gpon-olt_1/2/1",
                serial="ZTEGC0FFEE03",
                template="f601-bridge",
                params={"vlan": 100},
            )
        )
    assert info.value.rolled_back is None
    assert "conf t" not in peer.state.log[before:]
    assert len(peer.state.fibers["1/2/1"]) == 128


def test_register_an_unknown_serial(peer: ZteCliPeer) -> None:
    with pytest.raises(RegistrationFailed, match="not waiting"):
        run(
            ZTE.register_onu(
                cli_target(peer),
                fiber="gpon-olt_1/1/1",
                serial="ZTEGC0FFEE99",
                template="f601-bridge",
                params={"vlan": 100},
            )
        )
    assert set(peer.state.fibers["1/1/1"]) == {1, 2, 3}


def test_register_a_serial_waiting_on_another_fiber(peer: ZteCliPeer) -> None:
    with pytest.raises(RegistrationFailed, match="waiting on gpon-olt_1/1/2"):
        run(
            ZTE.register_onu(
                cli_target(peer),
                fiber="gpon-olt_1/1/1",
                serial="ZTEGC0FFEE02",
                template="f601-bridge",
                params={"vlan": 100},
            )
        )


def test_olt_refusing_the_onu_leaves_nothing(peer: ZteCliPeer) -> None:
    peer.state.fail_on["onu "] = "%Code 32317-GPONSRV : No ONU with this SN is on the PON port."
    with pytest.raises(RegistrationFailed, match="32317") as info:
        run(
            ZTE.register_onu(
                cli_target(peer),
                fiber="gpon-olt_1/1/1",
                serial="ZTEGC0FFEE01",
                template="f601-bridge",
                params={"vlan": 100},
            )
        )
    assert info.value.rolled_back is None
    assert set(peer.state.fibers["1/1/1"]) == {1, 2, 3}


def test_lost_session_after_the_onu_was_added_is_rolled_back(peer: ZteCliPeer) -> None:
    peer.state.drop_on = "name "
    with pytest.raises(RegistrationFailed, match="removed again") as info:
        run(
            ZTE.register_onu(
                cli_target(peer),
                fiber="gpon-olt_1/1/1",
                serial="ZTEGC0FFEE01",
                template="f601-bridge",
                params={"vlan": 100, "name": "lost"},
            )
        )
    assert info.value.rolled_back is True
    assert any("added as gpon-olt_1/1/1:4" in s for s in info.value.steps)
    assert 4 not in peer.state.fibers["1/1/1"]  # nothing half-configured is left
    assert "ZTEGC0FFEE01" in peer.state.uncfg["1/1/1"]


def test_lost_session_before_any_change(peer: ZteCliPeer) -> None:
    peer.state.drop_on = "conf t"
    with pytest.raises(RegistrationFailed, match="closed the telnet session") as info:
        run(
            ZTE.register_onu(
                cli_target(peer),
                fiber="gpon-olt_1/1/1",
                serial="ZTEGC0FFEE01",
                template="f601-bridge",
                params={"vlan": 100},
            )
        )
    assert info.value.rolled_back is None
    assert set(peer.state.fibers["1/1/1"]) == {1, 2, 3}


def test_refused_template_line_is_rolled_back(peer: ZteCliPeer) -> None:
    peer.state.fail_on["tcont "] = "%Code 32320-GPONSRV : The T-CONT profile does not exist."
    with pytest.raises(RegistrationFailed, match="32320") as info:
        run(
            ZTE.register_onu(
                cli_target(peer),
                fiber="gpon-olt_1/1/1",
                serial="ZTEGC0FFEE01",
                template="f601-bridge",
                params={"vlan": 100, "profile": "nosuch"},
            )
        )
    assert info.value.rolled_back is True
    assert 4 not in peer.state.fibers["1/1/1"]


def test_rollback_impossible_is_reported(peer: ZteCliPeer) -> None:
    peer.state.drop_on = "name "
    peer.state.fail_on["no onu"] = "%Error 20299: System busy."
    with pytest.raises(RegistrationFailed, match="half-configured") as info:
        run(
            ZTE.register_onu(
                cli_target(peer),
                fiber="gpon-olt_1/1/1",
                serial="ZTEGC0FFEE01",
                template="f601-bridge",
                params={"vlan": 100, "name": "lost"},
            )
        )
    assert info.value.rolled_back is False


@pytest.mark.parametrize(
    ("serial", "params", "template", "match"),
    [
        ("ZTEG-C0FFEE01", {"vlan": 100}, "f601-bridge", "not a GPON serial"),
        ("ZTEGC0FFEE0", {"vlan": 100}, "f601-bridge", "not a GPON serial"),
        ("ZTEGC0FFEEZZ", {"vlan": 100}, "f601-bridge", "not a GPON serial"),
        ("ZTEGC0FFEE01", {"vlan": 4095}, "f601-bridge", "out of range"),
        ("ZTEGC0FFEE01", {"vlan": 0}, "f601-bridge", "out of range"),
        ("ZTEGC0FFEE01", {}, "f601-bridge", "needs a VLAN"),
        ("ZTEGC0FFEE01", {"vlan": 100}, "no-such", "unknown ONU template"),
        ("ZTEGC0FFEE01", {"vlan": 100, "name": "has space"}, "f601-bridge", "ONU name"),
    ],
)
def test_bad_input_is_refused_before_any_session(
    serial: str, params: dict[str, object], template: str, match: str
) -> None:
    t = base.Target(host="127.0.0.1", cli=CliCredentials(port=free_tcp_port()))  # nothing listens
    with pytest.raises(BadInput, match=match):
        run(
            ZTE.register_onu(
                t, fiber="gpon-olt_1/1/1", serial=serial, template=template, params=params
            )
        )


def test_no_cli_credentials(agent: Agent) -> None:
    with pytest.raises(BadInput, match="no CLI"):
        run(ZTE.onu_vlans(target_for(agent, "zte_c320"), fiber="gpon-olt_1/1/1", number=1))


def test_telnet_that_does_not_answer_is_unreachable() -> None:
    t = base.Target(host="127.0.0.1", cli=CliCredentials(port=free_tcp_port()), timeout_s=1)
    with pytest.raises(DeviceUnreachable):
        run(ZTE.remove_onu(t, fiber="gpon-olt_1/1/1", number=1))


def test_wrong_cli_password(peer: ZteCliPeer) -> None:
    t = replace(cli_target(peer), cli=CliCredentials(username="zte", password="x", port=peer.port))
    with pytest.raises(DeviceError, match="refused the CLI login"):
        run(ZTE.remove_onu(t, fiber="gpon-olt_1/1/1", number=1))


def test_name_an_onu_on_the_olt(peer: ZteCliPeer) -> None:
    onu = run(
        ZTE.set_onu_name(
            cli_target(peer),
            fiber="gpon-olt_1/1/1",
            number=3,
            name="smirnov-9",
            description="Gagarina 2 kv 9",
        )
    )
    assert (onu.name, onu.description) == ("smirnov-9", "Gagarina 2 kv 9")
    assert peer.state.fibers["1/1/1"][3].name == "smirnov-9"
    assert peer.state.fibers["1/1/1"][3].description == "Gagarina 2 kv 9"
    with pytest.raises(BadInput):
        run(ZTE.set_onu_name(cli_target(peer), fiber="gpon-olt_1/1/1", number=3, name="a b"))


def test_remove_an_onu(peer: ZteCliPeer) -> None:
    run(ZTE.remove_onu(cli_target(peer), fiber="gpon-olt_1/1/1", number=3))
    assert 3 not in peer.state.fibers["1/1/1"]
    with pytest.raises(DeviceError, match="does not exist"):
        run(ZTE.remove_onu(cli_target(peer), fiber="gpon-olt_1/1/1", number=3))


# -- ONU VLAN writes ------------------------------------------------------------
def test_add_a_vlan_to_an_onu_and_read_it_back(peer: ZteCliPeer) -> None:
    t = cli_target(peer)
    vlans = run(ZTE.add_onu_vlan(t, fiber="gpon-olt_1/1/1", number=1, vlan=400))
    assert vlans == (100, 400)
    onu = peer.state.fibers["1/1/1"][1]
    assert "service-port 2 vport 1 user-vlan 400 vlan 400" in onu.lines  # next free id
    assert "service vlan400 gemport 1 vlan 400" in onu.mng
    # a fresh session reads every VLAN, the one added last too
    assert run(ZTE.onu_vlans(t, fiber="gpon-olt_1/1/1", number=1)) == (100, 400)


def test_remove_a_vlan_from_an_onu(peer: ZteCliPeer) -> None:
    t = cli_target(peer)
    assert run(ZTE.remove_onu_vlan(t, fiber="gpon-olt_1/1/1", number=2, vlan=200)) == (
        100, 300, 301, 302, 310,
    )  # fmt: skip
    assert not any("vlan 200" in x for x in peer.state.fibers["1/1/1"][2].lines)
    # ONU 1: its VLAN is on both the service port and the ONU's own port
    assert run(ZTE.remove_onu_vlan(t, fiber="gpon-olt_1/1/1", number=1, vlan=100)) == ()
    assert peer.state.fibers["1/1/1"][1].mng == []


def test_a_vlan_inside_a_range_is_refused_before_any_change(peer: ZteCliPeer) -> None:
    before = list(peer.state.fibers["1/1/1"][2].lines)
    with pytest.raises(BadInput, match="range"):
        run(ZTE.remove_onu_vlan(cli_target(peer), fiber="gpon-olt_1/1/1", number=2, vlan=301))
    assert peer.state.fibers["1/1/1"][2].lines == before
    assert "conf t" not in peer.state.log


@pytest.mark.parametrize("vlan", [0, 4095, -1, "abc"])
def test_an_onu_vlan_out_of_range_sends_nothing(peer: ZteCliPeer, vlan: object) -> None:
    with pytest.raises(BadInput, match="VLAN"):
        run(ZTE.add_onu_vlan(cli_target(peer), fiber="gpon-olt_1/1/1", number=1, vlan=vlan))  # type: ignore[arg-type]
    assert peer.state.log == []


def test_adding_a_vlan_the_onu_has_is_refused(peer: ZteCliPeer) -> None:
    with pytest.raises(BadInput, match="already has VLAN 100"):
        run(ZTE.add_onu_vlan(cli_target(peer), fiber="gpon-olt_1/1/1", number=1, vlan=100))
    assert "conf t" not in peer.state.log


def test_an_olt_refusing_the_vlan_is_an_error(peer: ZteCliPeer) -> None:
    peer.state.fail_on["service-port"] = "%Code 32399-GPONSRV : No resource."
    with pytest.raises(DeviceError, match="32399"):
        run(ZTE.add_onu_vlan(cli_target(peer), fiber="gpon-olt_1/1/1", number=1, vlan=400))
    assert 400 not in run(ZTE.onu_vlans(cli_target(peer), fiber="gpon-olt_1/1/1", number=1))
