"""BDCOM P3310 EPON OLT against snmpsim (bdcom_p3310.snmprec)."""

from __future__ import annotations

import pytest

from lastmile.drivers import base
from lastmile.drivers.base import BadInput, Unsupported
from lastmile.drivers.bdcom import BdcomP3310, decode_rx
from lastmile.drivers.sim import Agent
from lastmile.drivers.snmp import SnmpClient

from .conftest import run, target_for

BDCOM = BdcomP3310()


@pytest.mark.parametrize(
    ("raw", "dbm"),
    [
        (-235, -23.5),
        (-271, -27.1),
        (0, 0.0),
        (-500, -50.0),
        (100, 10.0),
        (-65535, None),
        (101, None),
        (None, None),
    ],
)
def test_bdcom_rx_decoding(raw: object, dbm: float | None) -> None:
    assert decode_rx(raw) == dbm


def test_fibers_and_onus(agent: Agent) -> None:
    t = target_for(agent, "bdcom_p3310")
    fibers = run(BDCOM.fibers(t))
    assert [(f.name, f.onu_count, f.link.value) for f in fibers] == [
        ("EPON0/1", 3, "up"),
        ("EPON0/2", 1, "up"),
        ("EPON0/3", 0, "down"),
        ("EPON0/4", 0, "down"),
    ]
    onus = run(BDCOM.onus(t, fiber="EPON0/1"))
    assert [(o.number, o.mac, o.status, o.rx_dbm, o.name) for o in onus] == [
        (1, "fc:fa:f7:00:01:01", "auto-configured", -23.5, "onu-1-1"),
        (2, "fc:fa:f7:00:01:02", "auto-configured", -27.1, "onu-1-2"),
        (3, "fc:fa:f7:00:01:03", "deregistered", None, "onu-1-3"),
    ]
    assert len(run(BDCOM.onus(t))) == 4
    assert base.get("bdcom_p3310").is_olt


def test_find_and_name_an_onu(agent: Agent) -> None:
    t = target_for(agent, "bdcom_p3310")
    assert run(BDCOM.find_onu(t, serial="fcfa.f700.0999")) is None
    found = run(BDCOM.find_onu(t, serial="fc-fa-f7-00-02-01"))
    assert found is not None and (found.fiber, found.number) == ("EPON0/2", 1)
    with pytest.raises(BadInput):
        run(BDCOM.find_onu(t, serial="not-a-mac"))
    onu = run(BDCOM.set_onu_name(t, fiber="EPON0/2", number=1, name="kuznetsov-4"))
    assert onu.name == "kuznetsov-4"
    assert run(SnmpClient(t).get("1.3.6.1.2.1.31.1.1.1.18.13")) == b"kuznetsov-4"


def test_reboot_save_and_no_registration(agent: Agent) -> None:
    t = target_for(agent, "bdcom_p3310")
    run(BDCOM.save_config(t))
    run(BDCOM.reboot(t))
    assert run(SnmpClient(t).get("1.3.6.1.4.1.3320.9.184.7.0")) == 1
    with pytest.raises(Unsupported):
        run(BDCOM.register_onu(t, fiber="EPON0/1", serial="x", template="", params={}))
    assert run(BDCOM.poll(t)).is_up


def test_onu_vlan_changes_are_not_offered(agent: Agent) -> None:
    """BDCOM sets an EPON ONU's VLAN over its own CLI (no SNMP object for it),
    which this driver does not speak: a clear "not supported", nothing sent."""
    t = target_for(agent, "bdcom_p3310")
    for write in (BDCOM.add_onu_vlan, BDCOM.remove_onu_vlan):
        with pytest.raises(Unsupported, match="ONU VLAN changes is not supported"):
            run(write(t, fiber="EPON0/2", number=1, vlan=100))
