"""The devices app against a real SNMP agent: snmpsim serving the drivers'
recorded data (``lastmile.drivers.sim``), through the generic SNMP driver."""

from __future__ import annotations

import pytest

from lastmile.devices import monitoring, services
from lastmile.devices.errors import DeviceOperationError
from lastmile.devices.models import Device, DeviceAction, Port
from lastmile.drivers.sim import free_udp_port
from tests.devices.conftest import operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_switch(agent, north) -> Device:  # type: ignore[no-untyped-def]
    device = Device(
        name="sw-live", driver="generic_snmp", ip=agent.host, snmp_port=agent.port, group=north,
        status="up",
    )  # fmt: skip
    device.set_secret("snmp_community", "generic_snmp")
    device.save()
    return device


def test_ports_are_read_from_the_agent_and_stored(live_switch, admin_user):
    states = services.run_operation(actor=admin_user, device=live_switch, operation="ports")
    assert states
    stored = list(live_switch.ports.order_by("number"))
    assert [p.number for p in stored] == sorted(s.number for s in states)
    assert all(p.read_at is not None for p in stored)


def test_a_scoped_operator_disables_a_port_and_the_agent_agrees(live_switch):
    user = operator("toggler", ["view", "toggle_port"])
    state = services.run_operation(
        actor=user, device=live_switch, operation="set_port_admin", params={"port": 3, "up": False}
    )
    try:
        assert state.admin_up is False
        assert Port.objects.get(device=live_switch, number=3).admin_up is False
        again = services.run_operation(actor=user, device=live_switch, operation="ports")
        assert {s.number: s.admin_up for s in again}[3] is False
    finally:
        services.run_operation(
            actor=user, device=live_switch, operation="set_port_admin",
            params={"port": 3, "up": True},
        )  # fmt: skip


def test_a_device_that_times_out_is_logged_and_marked_down(north, admin_user, settings):
    dead = Device(
        name="sw-dead", driver="generic_snmp", ip="127.0.0.1", snmp_port=free_udp_port(),
        group=north, status="up",
    )  # fmt: skip
    dead.save()
    conf = settings.LASTMILE
    previous = conf.devices_poll_timeout_s, conf.devices_flap_polls
    conf.devices_poll_timeout_s, conf.devices_flap_polls = 0.3, 1
    try:
        with pytest.raises(DeviceOperationError, match="sw-dead did not answer"):
            services.run_operation(actor=admin_user, device=dead, operation="ports")
        monitoring.poll_devices(Device.objects.filter(pk=dead.pk))
    finally:
        conf.devices_poll_timeout_s, conf.devices_flap_polls = previous
    dead.refresh_from_db()
    assert dead.status == "down"
    assert DeviceAction.objects.get(device=dead).outcome == "unreachable"


def test_the_poll_reads_reachability_and_ports(live_switch):
    counts = monitoring.poll_devices(Device.objects.filter(pk=live_switch.pk))
    assert counts["up"] == 1
    assert live_switch.ports.exists()


def test_the_device_page_reads_mac_table_and_vlans(live_switch, admin_client):
    mac = admin_client.get(f"/devices/{live_switch.pk}/mac/").content.decode()
    assert ":" in mac and "did not answer" not in mac
    vlans = admin_client.get(f"/devices/{live_switch.pk}/vlans/").content.decode()
    assert "VLAN ID" in vlans


@pytest.fixture
def live_huawei(agent, north) -> Device:  # type: ignore[no-untyped-def]
    device = Device(
        name="sw-huawei", driver="huawei_s5300", ip=agent.host, snmp_port=agent.port,
        group=north, status="up",
    )  # fmt: skip
    device.set_secret("snmp_community", "huawei_s5300")
    device.save()
    return device


def test_staff_create_and_delete_a_vlan_on_the_device(live_huawei, client):
    """The VLAN list offers create and delete where the driver can and the user
    may change VLANs; both reach the agent, go to the action log, and a deleted
    VLAN leaves the stored port memberships."""
    from lastmile.devices.models import PortVlan
    from lastmile.drivers.huawei import HW_L2VLAN_ROW_STATUS
    from lastmile.drivers.snmp import SnmpClient
    from lastmile.drivers.sync import run as run_sync

    user = operator("vlan-admin", ["view", "change_vlan"])
    client.force_login(user)
    partial = client.get(f"/devices/{live_huawei.pk}/vlans/").content.decode()
    assert 'data-testid="vlan-create"' in partial and "/vlans/20/delete/" in partial
    assert "/vlans/1/delete/" not in partial  # the default VLAN stays
    answer = client.post(f"/devices/{live_huawei.pk}/vlans/create/", {"vid": "44", "name": "iptv"})
    assert answer.status_code == 302
    snmp = SnmpClient(services.target_for(live_huawei))
    assert run_sync(snmp.get(f"{HW_L2VLAN_ROW_STATUS}.44")) == 1
    port, _new = Port.objects.get_or_create(device=live_huawei, number=6)
    PortVlan.objects.create(port=port, vid=44, is_tagged=True)
    assert client.post(f"/devices/{live_huawei.pk}/vlans/44/delete/").status_code == 302
    assert run_sync(snmp.get(f"{HW_L2VLAN_ROW_STATUS}.44")) is None
    assert not PortVlan.objects.filter(port=port, vid=44).exists()
    logged = list(
        DeviceAction.objects.filter(device=live_huawei)
        .order_by("id")
        .values_list("operation", "outcome", "parameters")
    )
    assert logged[-2:] == [
        ("create_vlan", "ok", {"vid": "44", "name": "iptv"}),
        ("delete_vlan", "ok", {"vid": 44}),
    ]
    # A bad id is a clear message and nothing is sent.
    page = client.post(f"/devices/{live_huawei.pk}/vlans/create/", {"vid": "5000"}, follow=True)
    assert "4094" in page.content.decode()


def test_without_change_vlan_there_is_no_form_and_no_vlan(live_huawei, client):
    user = operator("vlan-viewer", ["view"])
    client.force_login(user)
    partial = client.get(f"/devices/{live_huawei.pk}/vlans/").content.decode()
    assert "vlan-create" not in partial and "/delete/" not in partial
    client.post(f"/devices/{live_huawei.pk}/vlans/create/", {"vid": "45"})
    assert DeviceAction.objects.get(operation="create_vlan").outcome == "denied"


def test_staff_create_and_delete_a_vlan_on_a_generic_switch(live_switch, client):
    """The generic SNMP switch creates and deletes VLANs through Q-BRIDGE-MIB's
    dot1qVlanStaticRowStatus: offered on the VLAN list, read back on the agent."""
    from lastmile.drivers.mib import DOT1Q_VLAN_STATIC_NAME, DOT1Q_VLAN_STATIC_ROW_STATUS
    from lastmile.drivers.snmp import SnmpClient
    from lastmile.drivers.sync import run as run_sync

    client.force_login(operator("vlan-admin", ["view", "change_vlan"]))
    partial = client.get(f"/devices/{live_switch.pk}/vlans/").content.decode()
    assert 'data-testid="vlan-create"' in partial and "/vlans/20/delete/" in partial
    assert "/vlans/1/delete/" not in partial
    answer = client.post(f"/devices/{live_switch.pk}/vlans/create/", {"vid": "47", "name": "mgmt"})
    assert answer.status_code == 302
    snmp = SnmpClient(services.target_for(live_switch))
    assert run_sync(snmp.get(f"{DOT1Q_VLAN_STATIC_ROW_STATUS}.47")) == 1
    assert run_sync(snmp.get(f"{DOT1Q_VLAN_STATIC_NAME}.47")) == b"mgmt"
    assert "/vlans/47/delete/" in client.get(f"/devices/{live_switch.pk}/vlans/").content.decode()
    # an existing VLAN is refused with a message, and nothing changes on the agent
    page = client.post(
        f"/devices/{live_switch.pk}/vlans/create/", {"vid": "47", "name": "other"}, follow=True
    )
    assert "already has VLAN 47" in page.content.decode()
    assert run_sync(snmp.get(f"{DOT1Q_VLAN_STATIC_NAME}.47")) == b"mgmt"
    assert client.post(f"/devices/{live_switch.pk}/vlans/47/delete/").status_code == 302
    assert run_sync(snmp.get(f"{DOT1Q_VLAN_STATIC_ROW_STATUS}.47")) is None
    outcomes = list(
        DeviceAction.objects.filter(
            device=live_switch, operation__in=["create_vlan", "delete_vlan"]
        )
        .order_by("id")
        .values_list("operation", "outcome")
    )
    assert outcomes[-3:] == [
        ("create_vlan", "ok"),
        ("create_vlan", "bad_input"),
        ("delete_vlan", "ok"),
    ]


def test_a_driver_without_vlan_writes_offers_none(agent, north, admin_client):  # type: ignore[no-untyped-def]
    # the DGS-1100 driver does not create VLANs through Q-BRIDGE row creation
    device = Device(
        name="sw-dgs1100", driver="dlink_dgs1100", ip=agent.host, snmp_port=agent.port,
        group=north, status="up",
    )  # fmt: skip
    device.set_secret("snmp_community", "dlink_dgs1100")
    device.save()
    partial = admin_client.get(f"/devices/{device.pk}/vlans/").content.decode()
    assert "VLAN ID" in partial and "vlan-create" not in partial
