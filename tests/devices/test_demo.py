"""The demo's devices: data loads, and the simulators answer for the switch and the OLT."""

from __future__ import annotations

import pytest

from lastmile.devices import services
from lastmile.devices.demo import DEMO_DEVICES, load_demo
from lastmile.devices.models import Device
from lastmile.drivers.sim import free_tcp_port, free_udp_port
from lastmile.drivers.sim.demo import demo_devices

pytestmark = pytest.mark.django_db


def test_the_demo_shows_a_live_switch_and_olt(admin_user, admin_client):
    load_demo(customers=0, seed=1)
    load_demo(customers=0, seed=1)  # idempotent
    assert Device.objects.filter(name__startswith="demo-").count() == len(DEMO_DEVICES) + 1
    snmp_port, cli_port = free_udp_port(), free_tcp_port()
    Device.objects.filter(name__startswith="demo-").update(snmp_port=snmp_port)
    Device.objects.filter(name="demo-olt-c320").update(cli_port=cli_port)
    core = Device.objects.get(name="demo-core-switch")
    olt = Device.objects.get(name="demo-olt-c320")
    assert olt.driver == "zte_c320" and olt.parent_id == core.pk
    with demo_devices(snmp_port=snmp_port, cli_port=cli_port):
        assert services.run_operation(actor=admin_user, device=core, operation="ports")
        assert services.run_operation(actor=admin_user, device=olt, operation="onus")
        page = admin_client.get(f"/devices/{core.pk}/").content.decode()
        assert "demo-olt-c320" in page
        wizard = admin_client.get(f"/devices/{olt.pk}/onus/register/").content.decode()
        assert "ZTEGC0FFEE01" in wizard
