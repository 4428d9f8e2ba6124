"""A ZTE C320 through the devices app: ONUs with signal from snmpsim, and
registration / naming over the telnet CLI peer (lastmile.drivers.sim.zte_cli),
serialized by the advisory lock and logged whatever happens."""

from __future__ import annotations

import re

import pytest

from lastmile.devices import services
from lastmile.devices.errors import DeviceOperationError
from lastmile.devices.models import DeviceAction, OnuTemplate
from tests.devices.conftest import operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(db) -> OnuTemplate:  # type: ignore[no-untyped-def]
    return OnuTemplate.objects.create(
        name="F601 VLAN 150", driver="zte_c320", driver_template="f601-bridge", vlan=150
    )


def test_the_onu_list_shows_signal(zte, admin_client):
    html = admin_client.get(f"/devices/{zte.pk}/onus/").content.decode()
    assert "did not answer" not in html
    assert "ZTEGC0A10001" in html and "ivanov-12" in html
    assert re.search(r"<td>-\d+\.\d\d</td>", html)  # a signal in dBm


def test_registration_through_the_wizard_reaches_the_olt(zte, peer, template, client):
    user = operator("installer", ["view", "register_onu"])
    client.force_login(user)
    step1 = client.get(f"/devices/{zte.pk}/onus/register/").content.decode()
    assert "ZTEGC0FFEE01" in step1
    done = client.post(
        f"/devices/{zte.pk}/onus/register/",
        {"fiber": "gpon-olt_1/1/1", "serial": "ZTEGC0FFEE01", "template": template.pk,
         "name": "kozlov-3"},
        follow=True,
    )  # fmt: skip
    assert "ONU ZTEGC0FFEE01 registered." in done.content.decode()
    stored = peer.state.fibers["1/1/1"][4]
    assert stored.sn == "ZTEGC0FFEE01"
    assert "service-port 1 vport 1 user-vlan 150 vlan 150" in stored.lines
    row = DeviceAction.objects.get(operation="register_onu")
    assert row.outcome == "ok" and row.actor_name == "installer"


def test_registration_on_a_full_fiber_fails_cleanly(zte, peer, template, admin_user):
    before = {k: dict(v) for k, v in peer.state.fibers.items()}
    with pytest.raises(DeviceOperationError, match="full"):
        services.run_operation(
            actor=admin_user, device=zte, operation="register_onu",
            params={"fiber": "gpon-olt_1/2/1", "serial": "ZTEGC0FFEE03",
                    "template": "f601-bridge", "params": {"vlan": 150}},
        )  # fmt: skip
    assert {k: dict(v) for k, v in peer.state.fibers.items()} == before
    row = DeviceAction.objects.get(operation="register_onu")
    assert row.outcome == "error" and "full" in row.error


def test_onu_names_are_written_to_the_zte_olt(zte, peer, admin_user):
    services.run_operation(
        actor=admin_user, device=zte, operation="set_onu_name",
        params={"fiber": "gpon-olt_1/1/1", "number": 3, "name": "flat-9"},
    )  # fmt: skip
    assert peer.state.fibers["1/1/1"][3].name == "flat-9"


def test_every_vlan_of_a_zte_onu_is_shown_including_the_last(zte, admin_client):
    """The operators' request: the last VLAN on a ZTE ONU was not shown."""
    html = admin_client.get(
        f"/devices/{zte.pk}/onus/vlans/?fiber=gpon-olt_1/1/1&number=2"
    ).content.decode()
    assert html.strip() == "100, 200, 300, 301, 302, 310"
    assert DeviceAction.objects.get(operation="onu_vlans").outcome == "ok"


def test_a_switch_has_no_onu_vlans(switch, admin_user):
    with pytest.raises(DeviceOperationError, match="not supported"):
        services.run_operation(
            actor=admin_user, device=switch, operation="onu_vlans",
            params={"fiber": "x", "number": 1},
        )  # fmt: skip
