"""VLAN creation and deletion through Q-BRIDGE-MIB's dot1qVlanStaticTable (the
generic switch and the vendor drivers built on it) against snmpsim, whose
table is served by the ``rowtable`` variation (RowStatus rules of RFC 2579)."""

from __future__ import annotations

import re

import pytest

from lastmile.drivers import base, qbridge_vlans
from lastmile.drivers.base import BadInput, DeviceError, Unsupported, Vlan
from lastmile.drivers.mib import (
    DOT1Q_PVID,
    DOT1Q_VLAN_STATIC_EGRESS,
    DOT1Q_VLAN_STATIC_NAME,
    DOT1Q_VLAN_STATIC_ROW_STATUS,
    DOT1Q_VLAN_STATIC_UNTAGGED,
    decode_portlist,
)
from lastmile.drivers.sim import Agent
from lastmile.drivers.snmp import SnmpClient

from .conftest import run, target_for

MODELS = ["generic_snmp", "dlink_dgs3120", "dlink_dgs3627", "eltex_mes"]


def rows(c: SnmpClient) -> list[int]:
    return [int(oid.rsplit(".", 1)[1]) for oid, _ in run(c.walk(DOT1Q_VLAN_STATIC_ROW_STATUS))]


@pytest.mark.parametrize("model", MODELS)
def test_vlan_is_created_named_and_deleted_on_the_agent(agent: Agent, model: str) -> None:
    driver = base.get(model)
    t = target_for(agent, model)
    c = SnmpClient(t)
    assert run(c.get(f"{DOT1Q_VLAN_STATIC_ROW_STATUS}.40")) is None
    assert run(driver.create_vlan(t, 40, name="voip")) == Vlan(vid=40, name="voip")
    # straight from the agent: the row is active(1), named, with no ports
    assert run(c.get(f"{DOT1Q_VLAN_STATIC_ROW_STATUS}.40")) == 1
    assert run(c.get(f"{DOT1Q_VLAN_STATIC_NAME}.40")) == b"voip"
    assert rows(c) == [1, 10, 20, 30, 40]
    assert Vlan(vid=40, name="voip") in run(driver.vlans(t))
    with pytest.raises(BadInput, match="already has VLAN 40"):
        run(driver.create_vlan(t, 40, name="again"))
    assert run(c.get(f"{DOT1Q_VLAN_STATIC_NAME}.40")) == b"voip"
    run(driver.delete_vlan(t, 40))
    assert run(c.get(f"{DOT1Q_VLAN_STATIC_ROW_STATUS}.40")) is None
    assert run(c.get(f"{DOT1Q_VLAN_STATIC_NAME}.40")) is None
    assert rows(c) == [1, 10, 20, 30]
    assert 40 not in {v.vid for v in run(driver.vlans(t))}
    with pytest.raises(BadInput, match="no VLAN 40"):
        run(driver.delete_vlan(t, 40))


def test_a_new_vlan_without_a_name_takes_ports(agent: Agent) -> None:
    """A VLAN made with no name is listed and a port can join it: the existing
    membership write (egress/untagged bitmaps, PVID) works on the new row."""
    driver = base.get("generic_snmp")
    t = target_for(agent, "generic_snmp")
    c = SnmpClient(t)
    assert run(driver.create_vlan(t, 41)) == Vlan(vid=41, name="")
    assert run(c.get(f"{DOT1Q_VLAN_STATIC_ROW_STATUS}.41")) == 1
    assert Vlan(vid=41) in run(driver.vlans(t))
    after = run(driver.set_port_vlans(t, 7, untagged=41, tagged=frozenset()))
    assert next(v for v in after if v.vid == 41).untagged == frozenset({7})
    assert 7 in decode_portlist(run(c.get(f"{DOT1Q_VLAN_STATIC_UNTAGGED}.41")))
    assert 7 in decode_portlist(run(c.get(f"{DOT1Q_VLAN_STATIC_EGRESS}.41")))
    run(driver.delete_vlan(t, 41))
    assert run(c.get(f"{DOT1Q_VLAN_STATIC_EGRESS}.41")) is None
    # the port goes back to VLAN 1 (its state before this test)
    run(driver.set_port_vlans(t, 7, untagged=1, tagged=frozenset()))
    assert int(run(c.get(f"{DOT1Q_PVID}.7"))) == 1


def test_the_default_vlan_is_not_deleted(agent: Agent) -> None:
    t = target_for(agent, "generic_snmp")
    with pytest.raises(BadInput, match="default VLAN"):
        run(base.get("generic_snmp").delete_vlan(t, 1))
    assert run(SnmpClient(t).get(f"{DOT1Q_VLAN_STATIC_ROW_STATUS}.1")) == 1


@pytest.mark.parametrize(
    ("vid", "name", "message"),
    [
        (0, "", "out of range"),
        (4095, "", "out of range"),
        (42, "x" * 33, "1 to 32"),
        (42, "trail ", "1 to 32"),
        (42, "имя", "1 to 32"),
        (42, "tab\there", "1 to 32"),
    ],
)
def test_bad_vlan_id_or_name_changes_nothing(
    agent: Agent, vid: int, name: str, message: str
) -> None:
    t = target_for(agent, "generic_snmp")
    c = SnmpClient(t)
    with pytest.raises(BadInput, match=message):
        run(base.get("generic_snmp").create_vlan(t, vid, name=name))
    assert rows(c) == [1, 10, 20, 30]


@pytest.mark.parametrize("vid", [0, 4095])
def test_bad_vlan_id_is_not_deleted(agent: Agent, vid: int) -> None:
    t = target_for(agent, "generic_snmp")
    with pytest.raises(BadInput, match="out of range"):
        run(base.get("generic_snmp").delete_vlan(t, vid))
    assert rows(SnmpClient(t)) == [1, 10, 20, 30]


def test_a_32_character_name_is_the_longest(agent: Agent) -> None:
    driver = base.get("eltex_mes")
    t = target_for(agent, "eltex_mes")
    name = "n" * 31 + "z"
    assert run(driver.create_vlan(t, 4094, name=name)) == Vlan(vid=4094, name=name)
    run(driver.delete_vlan(t, 4094))
    assert run(SnmpClient(t).get(f"{DOT1Q_VLAN_STATIC_ROW_STATUS}.4094")) is None


def test_the_dgs1100_does_not_offer_row_creation(agent: Agent) -> None:
    t = target_for(agent, "dlink_dgs1100")
    with pytest.raises(Unsupported, match="VLAN creation"):
        run(base.get("dlink_dgs1100").create_vlan(t, 40))
    with pytest.raises(Unsupported, match="VLAN deletion"):
        run(base.get("dlink_dgs1100").delete_vlan(t, 10))
    assert rows(SnmpClient(t)) == [1, 10, 20, 30]


def test_huawei_keeps_its_own_table(agent: Agent) -> None:
    # the Huawei driver creates rows in hwL2VlanMIBTable, not dot1qVlanStaticTable
    t = target_for(agent, "huawei_s5300")
    run(base.get("huawei_s5300").create_vlan(t, 46, name="hw"))
    assert run(SnmpClient(t).get(f"{DOT1Q_VLAN_STATIC_ROW_STATUS}.46")) is None
    run(base.get("huawei_s5300").delete_vlan(t, 46))


# The simulator's Q-BRIDGE table semantics the tests above rely on.


def test_simulator_refuses_a_name_for_a_vlan_that_does_not_exist(agent: Agent) -> None:
    c = SnmpClient(target_for(agent, "generic_snmp"))
    with pytest.raises(DeviceError, match="refused"):
        run(c.set([(f"{DOT1Q_VLAN_STATIC_NAME}.77", "ghost")]))
    assert run(c.get(f"{DOT1Q_VLAN_STATIC_NAME}.77")) is None


def test_simulator_refuses_create_and_go_on_an_existing_vlan(agent: Agent) -> None:
    c = SnmpClient(target_for(agent, "generic_snmp"))
    with pytest.raises(DeviceError, match="refused"):
        run(c.set([(f"{DOT1Q_VLAN_STATIC_ROW_STATUS}.10", 4)]))
    assert run(c.get(f"{DOT1Q_VLAN_STATIC_NAME}.10")) == b"customers"


def test_simulator_refuses_a_name_longer_than_32_octets(agent: Agent) -> None:
    c = SnmpClient(target_for(agent, "generic_snmp"))
    with pytest.raises(DeviceError, match="refused"):
        run(c.set([(f"{DOT1Q_VLAN_STATIC_NAME}.10", "n" * 33)]))
    assert run(c.get(f"{DOT1Q_VLAN_STATIC_NAME}.10")) == b"customers"


def test_a_refused_name_leaves_no_vlan_behind(
    agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the agent takes 32 octets (SnmpAdminString (SIZE (0..32))) and applies the
    # var-binds one by one: the row is made, then the name refused
    monkeypatch.setattr(qbridge_vlans, "QBRIDGE_VLAN_NAME", re.compile(r".*"))
    t = target_for(agent, "generic_snmp")
    with pytest.raises(DeviceError, match=r"refused to create VLAN 43") as caught:
        run(base.get("generic_snmp").create_vlan(t, 43, name="n" * 40))
    assert "exists without" not in str(caught.value)
    assert run(SnmpClient(t).get(f"{DOT1Q_VLAN_STATIC_ROW_STATUS}.43")) is None
