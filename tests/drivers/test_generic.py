"""The generic SNMP switch against snmpsim serving generic_snmp.snmprec."""

from __future__ import annotations

import asyncio

import pytest

from lastmile.drivers import base, generic
from lastmile.drivers.base import BadInput, DeviceError, DeviceUnreachable, LinkState
from lastmile.drivers.generic import GenericSwitch
from lastmile.drivers.mib import decode_portlist, encode_portlist
from lastmile.drivers.sim import Agent, free_udp_port
from lastmile.drivers.snmp import SnmpClient

from .conftest import run, target_for

DRIVER = GenericSwitch()


def test_registered_by_name() -> None:
    assert isinstance(base.get("generic_snmp"), GenericSwitch)
    assert ("generic_snmp", GenericSwitch.title) in base.choices()


def test_details(agent: Agent) -> None:
    d = run(DRIVER.details(target_for(agent, "generic_snmp")))
    assert d.name == "generic_snmp-lab"
    assert d.uptime_s == 86400
    assert d.mac == "00:1a:2b:3c:4d:00"


def test_ports_leave_out_the_vlan_interface(agent: Agent) -> None:
    ports = run(DRIVER.ports(target_for(agent, "generic_snmp")))
    assert [p.number for p in ports] == [1, 2, 3, 4, 5, 6, 7, 8]
    p1, p4, p6, p8 = ports[0], ports[3], ports[5], ports[7]
    assert (p1.name, p1.description, p1.link, p1.admin_up) == ("eth1", "Port 1", LinkState.UP, True)
    assert p1.speed_mbps == 100 and p8.speed_mbps == 1000
    assert p1.mac == "00:1a:2b:3c:4d:01"
    assert p4.link == LinkState.DOWN and p4.admin_up
    assert p6.link == LinkState.DOWN and not p6.admin_up


def test_poll_is_uptime_and_port_states(agent: Agent) -> None:
    r = run(DRIVER.poll(target_for(agent, "generic_snmp")))
    assert r.is_up and r.uptime_s == 86400
    assert [(p.number, p.admin_up, p.link) for p in r.ports][3:6] == [
        (4, True, LinkState.DOWN),
        (5, True, LinkState.DOWN),
        (6, False, LinkState.DOWN),
    ]


def test_poll_of_a_device_with_more_ports_than_one_packet(agent: Agent) -> None:
    class Small(GenericSwitch):
        first_poll_repetitions = 2
        poll_repetitions = 3

    generic._IF_COUNT.clear()  # a first poll: a 2-row packet, then ifNumber sizes the rest
    r = run(Small().poll(target_for(agent, "generic_snmp")))
    assert [p.number for p in r.ports] == [1, 2, 3, 4, 5, 6, 7, 8]
    r = run(Small().poll(target_for(agent, "generic_snmp")))  # sized from the first
    assert [p.number for p in r.ports] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_mac_table_per_port_and_vlan(agent: Agent) -> None:
    t = target_for(agent, "generic_snmp")
    table = run(DRIVER.mac_table(t))
    assert [(e.mac, e.port, e.vlan) for e in table] == [
        ("00:11:22:33:44:01", 1, 10),
        ("00:11:22:33:44:02", 1, 10),
        ("00:11:22:33:44:03", 2, 20),
        ("00:11:22:33:44:04", 3, 1),
    ]  # the switch's own MAC (status self) is not a customer
    assert [e.mac for e in run(DRIVER.mac_table(t, port=2))] == ["00:11:22:33:44:03"]


def test_vlans_from_the_port_bitmaps(agent: Agent) -> None:
    vlans = {v.vid: v for v in run(DRIVER.vlans(target_for(agent, "generic_snmp")))}
    assert sorted(vlans) == [1, 10, 20, 30]
    assert vlans[10].name == "customers"
    assert vlans[10].untagged == {1} and vlans[10].tagged == {8}
    assert vlans[30].untagged == set() and vlans[30].tagged == {8}
    assert vlans[1].untagged == {3, 4, 5, 6, 7}


def test_port_disable_and_enable_are_read_back_from_the_agent(agent: Agent) -> None:
    t = target_for(agent, "generic_snmp")
    state = run(DRIVER.set_port_admin(t, 3, up=False))
    assert not state.admin_up
    # read back independently of the driver's own answer
    assert run(SnmpClient(t).get("1.3.6.1.2.1.2.2.1.7.3")) == 2
    assert not next(p for p in run(DRIVER.ports(t)) if p.number == 3).admin_up
    run(DRIVER.set_port_admin(t, 3, up=True))
    assert run(SnmpClient(t).get("1.3.6.1.2.1.2.2.1.7.3")) == 1


def test_port_that_does_not_exist(agent: Agent) -> None:
    with pytest.raises(BadInput, match="no port 77"):
        run(DRIVER.set_port_admin(target_for(agent, "generic_snmp"), 77, up=False))


def test_vlan_write_is_read_back(agent: Agent) -> None:
    t = target_for(agent, "generic_snmp")
    result = {
        v.vid: v for v in run(DRIVER.set_port_vlans(t, 4, untagged=20, tagged=frozenset({30})))
    }
    assert 4 in result[20].untagged and 4 in result[30].tagged and 4 not in result[1].untagged
    # straight from the agent: bitmaps and PVID
    c = SnmpClient(t)
    assert 4 in decode_portlist(run(c.get("1.3.6.1.2.1.17.7.1.4.3.1.4.20")))
    assert 4 in decode_portlist(run(c.get("1.3.6.1.2.1.17.7.1.4.3.1.2.30")))
    assert 4 not in decode_portlist(run(c.get("1.3.6.1.2.1.17.7.1.4.3.1.4.30")))
    assert 4 not in decode_portlist(run(c.get("1.3.6.1.2.1.17.7.1.4.3.1.2.1")))
    assert run(c.get("1.3.6.1.2.1.17.7.1.4.5.1.1.4")) == 20
    # others untouched
    vlans = {v.vid: v for v in run(DRIVER.vlans(t))}
    assert vlans[10].untagged == {1} and vlans[20].untagged == {2, 4}


@pytest.mark.parametrize("vid", [0, 4095, -1, 5000])
def test_vlan_id_out_of_range(agent: Agent, vid: int) -> None:
    t = target_for(agent, "generic_snmp")
    before = run(DRIVER.vlans(t))
    with pytest.raises(BadInput, match="out of range"):
        run(DRIVER.set_port_vlans(t, 5, untagged=vid, tagged=frozenset()))
    with pytest.raises(BadInput, match="out of range"):
        run(DRIVER.set_port_vlans(t, 5, untagged=None, tagged=frozenset({10, vid})))
    assert run(DRIVER.vlans(t)) == before  # nothing half-applied


def test_vlan_the_device_does_not_have(agent: Agent) -> None:
    t = target_for(agent, "generic_snmp")
    before = run(DRIVER.vlans(t))
    with pytest.raises(BadInput, match="no VLAN 999"):
        run(DRIVER.set_port_vlans(t, 5, untagged=10, tagged=frozenset({999})))
    assert run(DRIVER.vlans(t)) == before


def test_timeout_is_device_unreachable() -> None:
    t = base.Target(
        host="127.0.0.1",
        snmp=base.SnmpCredentials(port=free_udp_port()),
        timeout_s=0.3,
        retries=0,
    )
    with pytest.raises(DeviceUnreachable, match="no SNMP answer"):
        run(DRIVER.poll(t))


def test_wrong_community_is_unreachable(agent: Agent) -> None:
    t = target_for(agent, "no-such-community", timeout_s=0.5, retries=0)
    with pytest.raises(DeviceUnreachable):
        run(DRIVER.details(t))


def test_write_to_a_read_only_object_is_a_device_error(agent: Agent) -> None:
    t = target_for(agent, "generic_snmp")
    with pytest.raises(DeviceError, match="refused"):
        run(SnmpClient(t).set([("1.3.6.1.2.1.1.5.0", "renamed")]))


@pytest.mark.parametrize("operation", ["poll", "details", "ports", "vlans", "mac_table"])
def test_answers_of_the_wrong_type_are_a_device_error(agent: Agent, operation: str) -> None:
    t = target_for(agent, "garbage")
    with pytest.raises(DeviceError):
        run(getattr(DRIVER, operation)(t))


def test_a_peer_answering_noise_is_unreachable_not_a_crash() -> None:
    async def scenario() -> None:
        loop = asyncio.get_running_loop()

        class Noise(asyncio.DatagramProtocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                self.transport = transport

            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                self.transport.sendto(b"\x30\x03garbage" + bytes(range(40)), addr)  # type: ignore[attr-defined]

        transport, _ = await loop.create_datagram_endpoint(Noise, local_addr=("127.0.0.1", 0))
        port = transport.get_extra_info("sockname")[1]
        try:
            t = base.Target(
                host="127.0.0.1", snmp=base.SnmpCredentials(port=port), timeout_s=0.5, retries=0
            )
            with pytest.raises(DeviceUnreachable):
                await DRIVER.poll(t)
        finally:
            transport.close()

    run(scenario())


def test_portlist_codec() -> None:
    assert decode_portlist(bytes.fromhex("8001")) == {1, 16}
    assert encode_portlist({1, 16}, 4) == bytes.fromhex("80010000")
    assert encode_portlist({33}, 4) == bytes.fromhex("0000000080")
    assert decode_portlist(encode_portlist({2, 9, 24}, 3)) == {2, 9, 24}
