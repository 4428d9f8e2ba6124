"""The demo's devices: data loads, and snmpsim answers for the live switch."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from lastmile.devices import services
from lastmile.devices.demo import load_demo, snmpsim_command
from lastmile.devices.errors import DeviceOperationError
from lastmile.devices.models import Device
from lastmile.drivers.sim import free_udp_port

pytestmark = pytest.mark.django_db


def test_the_demo_shows_a_live_switch(tmp_path: Path, admin_user, admin_client):
    load_demo(customers=0, seed=1)
    load_demo(customers=0, seed=1)  # idempotent
    assert Device.objects.filter(name__startswith="demo-").count() == 4
    port = free_udp_port("127.0.0.11")
    Device.objects.filter(name__startswith="demo-").update(snmp_port=port)
    core = Device.objects.get(name="demo-core-switch")
    proc = subprocess.Popen(snmpsim_command(port=port, work_dir=tmp_path), start_new_session=True)
    try:
        states = None
        for _attempt in range(60):  # snmpsim needs a moment to index its data
            try:
                states = services.run_operation(actor=admin_user, device=core, operation="ports")
                break
            except DeviceOperationError:
                time.sleep(0.5)
        assert states, "the demo switch never answered"
        page = admin_client.get(f"/devices/{core.pk}/").content.decode()
        assert "demo-olt-c320" in page  # the OLT hangs off port 1
    finally:
        proc.terminate()
        proc.wait(timeout=15)
