"""D-Link, Eltex and Huawei switches against snmpsim with each model's data."""

from __future__ import annotations

import pytest

from lastmile.drivers import base
from lastmile.drivers.base import LinkState, Unsupported
from lastmile.drivers.generic import GenericSwitch
from lastmile.drivers.mib import decode_portlist
from lastmile.drivers.sim import Agent
from lastmile.drivers.snmp import SnmpClient

from .conftest import run, target_for

# model → (first port's ifIndex, its name, ports, model word from sysDescr)
MODELS = {
    "dlink_dgs1100": (1, "Slot0/1", 10, "DGS-1100"),
    "dlink_dgs3120": (1, "RMON Port 1 on Unit 1", 10, "DGS-3120"),
    "dlink_dgs3627": (1, "RMON Port 1 on Unit 1", 10, "DGS-3627"),
    "eltex_mes": (49, "gi1/0/1", 8, "MES2324"),
    "huawei_s2300": (6, "Ethernet0/0/1", 8, "S2352P-EI"),
    "huawei_s5300": (6, "GigabitEthernet0/0/1", 8, "S5328C-EI-24S"),
}

REBOOT_SAVE = {
    "dlink_dgs1100": (
        "1.3.6.1.4.1.171.10.134.2.1.1.1.10.0",
        1,
        "1.3.6.1.4.1.171.10.134.2.1.1.1.11.0",
        1,
    ),
    "dlink_dgs3120": ("1.3.6.1.4.1.171.12.1.2.3.0", 3, "1.3.6.1.4.1.171.12.1.2.6.0", 3),
    "dlink_dgs3627": ("1.3.6.1.4.1.171.12.1.2.3.0", 3, "1.3.6.1.4.1.171.12.1.2.6.0", 3),
    "eltex_mes": ("1.3.6.1.4.1.89.1.2.0", 1, "1.3.6.1.4.1.89.87.2.1.17.1", 4),
    "huawei_s2300": ("1.3.6.1.4.1.2011.5.25.19.1.3.2.0", 3, "1.3.6.1.4.1.2011.6.10.1.2.4.1.9.1", 4),
    "huawei_s5300": ("1.3.6.1.4.1.2011.5.25.19.1.3.2.0", 3, "1.3.6.1.4.1.2011.6.10.1.2.4.1.9.1", 4),
}


@pytest.mark.parametrize("model", sorted(MODELS))
def test_model_ports_and_details(agent: Agent, model: str) -> None:
    first, name, count, word = MODELS[model]
    driver = base.get(model)
    assert isinstance(driver, GenericSwitch)
    t = target_for(agent, model)
    ports = run(driver.ports(t))
    assert len(ports) == count
    assert (ports[0].number, ports[0].name) == (first, name)
    assert run(driver.details(t)).model == word
    poll = run(driver.poll(t))
    assert [p.number for p in poll.ports] == [p.number for p in ports]


@pytest.mark.parametrize("model", sorted(MODELS))
def test_model_mac_table_in_port_numbers(agent: Agent, model: str) -> None:
    first = MODELS[model][0]
    table = run(base.get(model).mac_table(target_for(agent, model)))
    # bridge port 1 is the first port's ifIndex (Eltex 49, Huawei 6)
    assert {e.port for e in table if e.vlan == 10} == {first}


@pytest.mark.parametrize("model", sorted(MODELS))
def test_model_vlan_write_read_back(agent: Agent, model: str) -> None:
    first, _name, _count, _w = MODELS[model]
    driver = base.get(model)
    t = target_for(agent, model)
    port = first + 2  # bridge port 3, untagged in VLAN 1
    vlans = {
        v.vid: v for v in run(driver.set_port_vlans(t, port, untagged=10, tagged=frozenset({30})))
    }
    assert port in vlans[10].untagged and port in vlans[30].tagged
    assert port not in vlans[1].untagged and port not in vlans[1].tagged
    raw = run(SnmpClient(t).get("1.3.6.1.2.1.17.7.1.4.3.1.4.10"))
    assert 3 in decode_portlist(raw)  # bridge port 3 in the agent's untagged list
    vlans = {v.vid: v for v in run(driver.set_port_vlans(t, port, untagged=1, tagged=frozenset()))}
    assert (
        port in vlans[1].untagged
        and port not in vlans[10].untagged
        and port not in vlans[30].tagged
    )


@pytest.mark.parametrize("model", sorted(MODELS))
def test_model_port_toggle(agent: Agent, model: str) -> None:
    first = MODELS[model][0]
    driver = base.get(model)
    t = target_for(agent, model)
    assert not run(driver.set_port_admin(t, first + 1, up=False)).admin_up
    assert run(SnmpClient(t).get(f"1.3.6.1.2.1.2.2.1.7.{first + 1}")) == 2
    assert run(driver.set_port_admin(t, first + 1, up=True)).admin_up


@pytest.mark.parametrize("model", sorted(REBOOT_SAVE))
def test_model_reboot_and_save_set_the_vendor_objects(agent: Agent, model: str) -> None:
    reboot_oid, reboot_value, save_oid, save_value = REBOOT_SAVE[model]
    driver = base.get(model)
    t = target_for(agent, model)
    run(driver.save_config(t))
    assert run(SnmpClient(t).get(save_oid)) == save_value
    run(driver.reboot(t))
    assert run(SnmpClient(t).get(reboot_oid)) == reboot_value


def test_generic_switch_has_no_reboot(agent: Agent) -> None:
    with pytest.raises(Unsupported, match="reboot"):
        run(base.get("generic_snmp").reboot(target_for(agent, "generic_snmp")))


def test_link_state_of_a_down_port(agent: Agent) -> None:
    ports = {p.number: p for p in run(base.get("eltex_mes").ports(target_for(agent, "eltex_mes")))}
    assert ports[51].link == LinkState.DOWN  # gi1/0/3
