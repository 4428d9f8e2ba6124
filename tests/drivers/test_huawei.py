"""Huawei S2300/S5300: the MAC table from HUAWEI-L2MAM-MIB when Q-BRIDGE-MIB's is empty,
and VLAN creation/deletion through HUAWEI-L2VLAN-MIB's RowStatus, against snmpsim."""

from __future__ import annotations

import re

import pytest

from lastmile.drivers import base, huawei
from lastmile.drivers.base import BadInput, DeviceError, Unsupported, Vlan
from lastmile.drivers.huawei import HW_L2VLAN_NAME, HW_L2VLAN_ROW_STATUS, dyn_fdb_key
from lastmile.drivers.mib import DOT1D_TP_FDB_PORT, DOT1Q_TP_FDB_PORT
from lastmile.drivers.sim import Agent
from lastmile.drivers.snmp import SnmpClient

from .conftest import run, target_for

MODELS = ["huawei_s2300", "huawei_s5300"]


@pytest.mark.parametrize("model", MODELS)
def test_mac_table_comes_from_huaweis_fdb_when_the_standard_tables_are_empty(
    agent: Agent, model: str
) -> None:
    t = target_for(agent, model)
    c = SnmpClient(t)
    assert run(c.walk(DOT1Q_TP_FDB_PORT)) == [] and run(c.walk(DOT1D_TP_FDB_PORT)) == []
    table = run(base.get(model).mac_table(t))
    # hwDynFdbPort is the ifIndex (port 1 = ifIndex 6); the VPLS (VSI) MAC and the
    # MAC on no port (hwDynFdbPort 0) are left out
    assert [(e.mac, e.port, e.vlan) for e in table] == [
        ("00:11:22:33:44:01", 6, 10),
        ("00:11:22:33:44:02", 6, 10),
        ("00:11:22:33:44:03", 7, 20),
        ("00:11:22:33:44:04", 8, 1),
    ]
    assert [e.mac for e in run(base.get(model).mac_table(t, port=7))] == ["00:11:22:33:44:03"]


def test_generic_switch_finds_no_macs_on_a_huawei_without_standard_tables(agent: Agent) -> None:
    assert run(base.get("generic_snmp").mac_table(target_for(agent, "huawei_s2300"))) == []


@pytest.mark.parametrize(
    ("index", "key"),
    [
        ((0, 17, 34, 51, 68, 1, 10, 0), ("00:11:22:33:44:01", 10)),
        ((0, 17, 34, 51, 68, 5, 0, 4, 118, 115, 105, 49), None),  # a VSI's MAC
        ((0, 17, 34, 51, 68, 1, 10), None),  # no VSI length
        ((0, 17, 34, 51, 68, 1, 10, 2, 97), None),  # VSI length says 2, one octet follows
        ((0, 17, 34, 51, 68, 300, 10, 0), None),  # not an octet
        ((0, 17, 34, 51, 68, 1, 4095, 0), None),  # not a VLAN id
    ],
)
def test_dynamic_fdb_index_decoding(index: tuple[int, ...], key: tuple[str, int] | None) -> None:
    assert dyn_fdb_key(index) == key


@pytest.mark.parametrize("model", MODELS)
def test_vlan_is_created_named_and_deleted_on_the_agent(agent: Agent, model: str) -> None:
    driver = base.get(model)
    t = target_for(agent, model)
    c = SnmpClient(t)
    assert run(c.get(f"{HW_L2VLAN_ROW_STATUS}.40")) is None
    assert run(driver.create_vlan(t, 40, name="voip")) == Vlan(vid=40, name="voip")
    # straight from the agent: the row is active(1) and has the name
    assert run(c.get(f"{HW_L2VLAN_ROW_STATUS}.40")) == 1
    assert run(c.get(f"{HW_L2VLAN_NAME}.40")) == b"voip"
    rows = [oid.rsplit(".", 1)[1] for oid, _ in run(c.walk(HW_L2VLAN_ROW_STATUS))]
    assert rows == ["1", "10", "20", "30", "40"]
    with pytest.raises(BadInput, match="already has VLAN 40"):
        run(driver.create_vlan(t, 40, name="again"))
    assert run(c.get(f"{HW_L2VLAN_NAME}.40")) == b"voip"
    run(driver.delete_vlan(t, 40))
    assert run(c.get(f"{HW_L2VLAN_ROW_STATUS}.40")) is None
    assert run(c.get(f"{HW_L2VLAN_NAME}.40")) is None
    with pytest.raises(BadInput, match="no VLAN 40"):
        run(driver.delete_vlan(t, 40))


def test_vlan_without_a_name(agent: Agent) -> None:
    driver = base.get("huawei_s5300")
    t = target_for(agent, "huawei_s5300")
    assert run(driver.create_vlan(t, 41)) == Vlan(vid=41, name="")
    assert run(SnmpClient(t).get(f"{HW_L2VLAN_ROW_STATUS}.41")) == 1
    run(driver.delete_vlan(t, 41))


def test_a_refused_name_leaves_no_vlan_behind(
    agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the agent takes 31 octets (hwL2VlanName SIZE(0..31)); let a longer one through
    monkeypatch.setattr(huawei, "VLAN_NAME", re.compile(r".*"))
    t = target_for(agent, "huawei_s2300")
    with pytest.raises(DeviceError, match=r"refused the name of VLAN 43.*removed again"):
        run(base.get("huawei_s2300").create_vlan(t, 43, name="n" * 40))
    assert run(SnmpClient(t).get(f"{HW_L2VLAN_ROW_STATUS}.43")) is None


def test_the_default_vlan_is_not_deleted(agent: Agent) -> None:
    t = target_for(agent, "huawei_s2300")
    with pytest.raises(BadInput, match="default VLAN"):
        run(base.get("huawei_s2300").delete_vlan(t, 1))
    assert run(SnmpClient(t).get(f"{HW_L2VLAN_ROW_STATUS}.1")) == 1


@pytest.mark.parametrize(
    ("vid", "name", "message"),
    [
        (0, "", "out of range"),
        (4095, "", "out of range"),
        (42, "x" * 32, "1 to 31"),
        (42, " lead", "1 to 31"),
        (42, "имя", "1 to 31"),
    ],
)
def test_bad_vlan_id_or_name_changes_nothing(
    agent: Agent, vid: int, name: str, message: str
) -> None:
    t = target_for(agent, "huawei_s2300")
    with pytest.raises(BadInput, match=message):
        run(base.get("huawei_s2300").create_vlan(t, vid, name=name))
    assert run(SnmpClient(t).get(f"{HW_L2VLAN_ROW_STATUS}.42")) is None


def test_the_dgs1100_does_not_create_vlans(agent: Agent) -> None:
    # the generic switch and the other vendors do (Q-BRIDGE-MIB, test_qbridge_vlans)
    t = target_for(agent, "dlink_dgs1100")
    with pytest.raises(Unsupported, match="VLAN creation"):
        run(base.get("dlink_dgs1100").create_vlan(t, 40))
    with pytest.raises(Unsupported, match="VLAN deletion"):
        run(base.get("dlink_dgs1100").delete_vlan(t, 10))


# The simulator's row semantics (variation module ``rowtable``) that the tests above rely on.


def test_simulator_refuses_a_column_of_a_row_that_does_not_exist(agent: Agent) -> None:
    c = SnmpClient(target_for(agent, "huawei_s2300"))
    with pytest.raises(DeviceError, match="refused"):
        run(c.set([(f"{HW_L2VLAN_NAME}.77", "ghost")]))
    assert run(c.get(f"{HW_L2VLAN_NAME}.77")) is None


@pytest.mark.parametrize("status", [5, 1, 3])  # createAndWait, active / notReady on no row
def test_simulator_refuses_row_status_other_than_create_and_go(agent: Agent, status: int) -> None:
    c = SnmpClient(target_for(agent, "huawei_s2300"))
    with pytest.raises(DeviceError, match="refused"):
        run(c.set([(f"{HW_L2VLAN_ROW_STATUS}.78", status)]))
    assert run(c.get(f"{HW_L2VLAN_ROW_STATUS}.78")) is None


def test_simulator_walks_into_past_and_out_of_the_row_table(agent: Agent) -> None:
    # one walk over Huawei's subtree: the FDB rows before the table, the table's
    # cells (served by the module), then the records after it (hwCfgOperateTable)
    oids = [
        oid
        for oid, _ in run(SnmpClient(target_for(agent, "huawei_s5300")).walk("1.3.6.1.4.1.2011"))
    ]
    vlan_cells = [o for o in oids if o.startswith("1.3.6.1.4.1.2011.5.25.42.3.")]
    assert vlan_cells == [
        *(f"{HW_L2VLAN_ROW_STATUS}.{v}" for v in (1, 10, 20, 30)),
        *(f"{HW_L2VLAN_NAME}.{v}" for v in (1, 10, 20, 30)),
    ]
    first, last = oids.index(vlan_cells[0]), oids.index(vlan_cells[-1])
    assert oids[first - 1].startswith("1.3.6.1.4.1.2011.5.25.42.2.1.3.1.4.")
    assert oids[last + 1 :] == [
        "1.3.6.1.4.1.2011.6.10.1.2.4.1.2.1",
        "1.3.6.1.4.1.2011.6.10.1.2.4.1.9.1",
    ]
