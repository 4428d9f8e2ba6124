"""Device inventory: data that must be valid, constraints the database keeps."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from lastmile.devices import services
from lastmile.devices.errors import InvalidDeviceData
from lastmile.devices.forms import DeviceForm
from lastmile.devices.models import Device, Link, Port, PortVlan

pytestmark = pytest.mark.django_db


def test_device_without_a_type_is_valid_data():
    device = services.save_device(actor=None, device=Device(name="mystery box"), secrets={})
    device.refresh_from_db()
    assert device.driver == "unknown"
    assert services.driver_for(device) is None
    # A type that no longer exists (its driver removed since) is valid too:
    # saving the device keeps it; only choosing an unknown type is refused.
    Device.objects.filter(pk=device.pk).update(driver="vendor-gone")
    device.refresh_from_db()
    services.save_device(actor=None, device=device)
    assert services.driver_for(device) is None
    device.driver = "another-gone"
    with pytest.raises(InvalidDeviceData, match="Unknown device type 'another-gone'"):
        services.save_device(actor=None, device=device)


def test_ports_can_be_added_while_the_device_is_offline(switch, stubs):
    stubs["switch"].down_hosts.add(str(switch.ip))
    switch.status = "down"
    switch.save()
    port = services.add_port(actor=None, device=switch, number=24, name="uplink", role="uplink")
    assert port.pk and port.link == "unknown"
    assert stubs["switch"].calls == []  # nothing was sent to the device
    with pytest.raises(InvalidDeviceData, match="already has a port 24"):
        services.add_port(actor=None, device=switch, number=24)


def test_port_vlan_constraints(switch):
    port = Port.objects.create(device=switch, number=1)
    PortVlan.objects.create(port=port, vid=100, is_tagged=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        PortVlan.objects.create(port=port, vid=200, is_tagged=False)  # a second untagged
    with pytest.raises(IntegrityError), transaction.atomic():
        PortVlan.objects.create(port=port, vid=4095)
    with pytest.raises(IntegrityError), transaction.atomic():
        Port.objects.create(device=switch, number=0)


def test_a_link_records_uplink_and_downlink_on_both_devices(switch, south_switch):
    upper = services.add_port(actor=None, device=switch, number=10)
    lower = services.add_port(actor=None, device=south_switch, number=1)
    services.link_ports(actor=None, upper=upper, lower=lower)
    upper.refresh_from_db()
    lower.refresh_from_db()
    south_switch.refresh_from_db()
    assert (upper.role, lower.role) == ("downlink", "uplink")
    assert south_switch.parent_id == switch.pk
    [(own, other, direction, _id)] = services.neighbours(switch)
    assert (own.number, other.device_id, direction) == (10, south_switch.pk, "down")
    [(own, other, direction, _id)] = services.neighbours(south_switch)
    assert (own.number, other.device_id, direction) == (1, switch.pk, "up")


def test_a_port_has_one_cable_and_a_link_joins_two_devices(switch, south_switch):
    a = services.add_port(actor=None, device=switch, number=1)
    b = services.add_port(actor=None, device=switch, number=2)
    c = services.add_port(actor=None, device=south_switch, number=1)
    with pytest.raises(InvalidDeviceData, match="two different devices"):
        services.link_ports(actor=None, upper=a, lower=b)
    services.link_ports(actor=None, upper=a, lower=c)
    d = services.add_port(actor=None, device=south_switch, number=2)
    with pytest.raises(InvalidDeviceData, match="already has a link"):
        services.link_ports(actor=None, upper=a, lower=d)
    assert Link.objects.count() == 1


def test_the_device_tree_has_no_loops(switch, south_switch):
    south_switch.parent = switch
    services.save_device(actor=None, device=south_switch)
    switch.parent = south_switch
    with pytest.raises(InvalidDeviceData, match="loop"):
        services.save_device(actor=None, device=switch)


def test_secrets_are_encrypted_at_rest(switch):
    with connection.cursor() as cur:
        cur.execute(
            "SELECT snmp_community_encrypted FROM devices_device WHERE id = %s", [switch.pk]
        )
        (stored,) = cur.fetchone()
    assert stored and "s3cret-community" not in stored
    assert Device.objects.get(pk=switch.pk).get_secret("snmp_community") == "s3cret-community"
    assert services.target_for(switch).snmp.community == "s3cret-community"


def test_extra_data_is_validated_by_the_drivers_schema(olt):
    form = DeviceForm(
        data={
            "name": olt.name, "driver": "test-olt", "ip": "192.0.2.20", "snmp_version": "2c",
            "snmp_port": 161, "cli_port": 23, "extra": '{"max_onus_per_fiber": 500}',
        },
        instance=olt,
    )  # fmt: skip
    assert not form.is_valid()
    assert "max_onus_per_fiber" in form.errors["extra"][0]
    assert "less than or equal to 128" in form.errors["extra"][0]
    form = DeviceForm(data={**form.data, "extra": '{"telnet_prompt": "C320#"}'}, instance=olt)
    assert form.is_valid(), form.errors
    saved = services.save_device(actor=None, device=form.save(commit=False), secrets={})
    assert saved.extra == {"telnet_prompt": "C320#", "max_onus_per_fiber": 64}
    bad_json = DeviceForm(data={**form.data, "extra": "{nope"}, instance=olt)
    assert not bad_json.is_valid()
    assert "not valid JSON" in bad_json.errors["extra"][0]


def test_an_empty_secret_keeps_the_stored_one(switch):
    services.save_device(actor=None, device=switch, secrets={"snmp_community": ""})
    assert Device.objects.get(pk=switch.pk).get_secret("snmp_community") == "s3cret-community"
