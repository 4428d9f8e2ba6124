"""Staff pages and the API of the devices app."""

from __future__ import annotations

import pytest

from lastmile.accounts.services import create_api_token
from lastmile.devices import services
from lastmile.devices.errors import InvalidDeviceData
from lastmile.devices.models import Device, DeviceAction, OnuTemplate, Port
from lastmile.network.models import AccessBinding
from tests.devices.conftest import operator
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_every_page_shows_a_device_without_a_type(admin_client, db):
    box = Device.objects.create(name="mystery", driver="")
    gone = Device.objects.create(name="gone-driver", driver="vendor-removed")
    for url in ("/devices/", f"/devices/{box.pk}/", f"/devices/{gone.pk}/", f"/devices/{box.pk}/edit/",
                f"/devices/{box.pk}/ports/", f"/devices/{box.pk}/history/", "/devices/?driver=unknown",
                "/devices/?_export=csv", "/devices/?_export=xlsx"):  # fmt: skip
        response = admin_client.get(url)
        assert response.status_code == 200, url
    assert "mystery" in admin_client.get("/devices/").content.decode()


def test_the_device_list_filters_and_shows_status(admin_client, switch, south_switch):
    south_switch.status = "down"
    south_switch.save()
    html = admin_client.get("/devices/?status=down").content.decode()
    assert "sw-south-1" in html and "sw-north-1" not in html
    assert 'class="status-down"' in html


def test_the_device_lists_share_the_devices_sub_navigation(admin_client, switch):
    for path in ("/devices/", "/devices/onus/", "/devices/actions/"):
        html = admin_client.get(path).content.decode()
        assert '<nav class="subnav"' in html and "/devices/templates/" in html, path
        assert 'id="object-table"' in html, path


def test_the_list_shows_only_the_users_groups(client, switch, south_switch):
    client.force_login(operator("north-eyes", ["view"]))
    html = client.get("/devices/").content.decode()
    assert "sw-north-1" in html and "sw-south-1" not in html


def test_adding_a_device_with_secrets_from_the_form(admin_client, stubs, north):
    response = admin_client.post(
        "/devices/add/",
        {"name": "olt-2", "driver": "test-olt", "ip": "192.0.2.44", "snmp_version": "2c",
         "snmp_port": "161", "cli_port": "23", "group": north.pk, "is_monitored": "on",
         "cli_username": "admin", "cli_password": "pw1", "extra": '{"telnet_prompt": "A#"}'},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    device = Device.objects.get(name="olt-2")
    assert device.get_secret("cli_password") == "pw1" and device.extra["telnet_prompt"] == "A#"
    page = admin_client.get(f"/devices/{device.pk}/edit/").content.decode()
    assert "pw1" not in page


def test_a_bad_extra_is_a_form_error_and_nothing_is_saved(admin_client, olt):
    response = admin_client.post(
        f"/devices/{olt.pk}/edit/",
        {"name": olt.name, "driver": "test-olt", "ip": "192.0.2.20", "snmp_version": "2c",
         "snmp_port": "161", "cli_port": "23", "extra": '{"unknown_key": 1}'},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Extra data does not fit this device type" in response.content.decode()
    olt.refresh_from_db()
    assert olt.extra == {}


def test_the_device_page_has_ports_neighbours_log_and_onus(admin_client, olt, switch):
    services.add_port(actor=None, device=olt, number=1, name="uplink")
    services.add_port(actor=None, device=switch, number=24)
    services.link_ports(
        actor=None, upper=switch.ports.get(number=24), lower=olt.ports.get(number=1)
    )
    html = admin_client.get(f"/devices/{olt.pk}/").content.decode()
    for text in ("uplink (towards the core)", "sw-north-1", 'hx-trigger="every 30s"',
                 'id="onus-table"', "Register an ONU", "data-confirm", "Action log"):  # fmt: skip
        assert text in html, text


def test_bulk_disable_ports_asks_and_logs_each_port(admin_client, switch, stubs):
    for n in (1, 2, 3):
        Port.objects.create(device=switch, number=n)
    html = admin_client.get(f"/devices/{switch.pk}/").content.decode()
    assert 'id="bulk-ports"' in html and "Change the state of the chosen ports?" in html
    response = admin_client.post(
        f"/devices/{switch.pk}/ports/bulk/",
        {"operation": "disable", "select": ["1", "3"]},
        follow=True,
    )
    assert "Ports 1, 3: disabled." in response.content.decode()
    assert list(switch.ports.order_by("number").values_list("number", "admin_up")) == [
        (1, False), (2, None), (3, False)
    ]  # fmt: skip
    assert DeviceAction.objects.filter(operation="set_port_admin", outcome="ok").count() == 2


def test_the_onu_registration_wizard(admin_client, olt, stubs):
    template = OnuTemplate.objects.create(name="F660 internet", onu_type="ZTE-F660", vlan=100)
    step1 = admin_client.get(f"/devices/{olt.pk}/onus/register/").content.decode()
    assert "ZTEGDEADBEEF" in step1
    step2 = admin_client.get(
        f"/devices/{olt.pk}/onus/register/?fiber=gpon-olt_1/2/1&serial=ZTEGDEADBEEF"
    )
    assert step2.status_code == 200 and "F660 internet" in step2.content.decode()
    done = admin_client.post(
        f"/devices/{olt.pk}/onus/register/",
        {
            "fiber": "gpon-olt_1/2/1",
            "serial": "ZTEGDEADBEEF",
            "template": template.pk,
            "name": "f5",
        },
        follow=True,
    )
    assert "ONU ZTEGDEADBEEF registered." in done.content.decode()
    bad = admin_client.post(
        f"/devices/{olt.pk}/onus/register/",
        {"fiber": "gpon-olt_1/2/1", "serial": "nonsense", "template": template.pk},
    )
    assert bad.status_code == 200 and "not an ONU serial" in bad.content.decode()
    assert list(
        DeviceAction.objects.filter(operation="register_onu")
        .values_list("outcome", flat=True)
        .order_by("id")
    ) == ["ok", "bad_input"]


def test_the_wizard_needs_the_register_permission(client, olt):
    client.force_login(operator("viewer", ["view"]))
    assert client.get(f"/devices/{olt.pk}/onus/register/").status_code == 403


def test_the_staff_action_log_page(admin_client, switch):
    services.run_operation(actor=None, device=switch, operation="ports")
    html = admin_client.get("/devices/actions/?device=sw-north-1").content.decode()
    assert "ports" in html and "sw-north-1" in html


# IPoE binding = the customer's access port ------------------------------------------


def test_a_binding_is_linked_to_its_device_port_with_a_consistent_key(switch):
    switch.mac = "00:11:22:33:44:55"
    switch.save()
    port = services.add_port(actor=None, device=switch, number=5, role="customer")
    customer = CustomerFactory()
    binding = AccessBinding.objects.create(
        customer=customer, remote_id="00:11:22:33:44:55", circuit_id="0x000400640105"
    )
    services.attach_binding(actor=None, binding=binding, port=port)
    binding.refresh_from_db()
    assert binding.device_port_id == port.pk
    assert list(port.bindings.all()) == [binding]
    other = services.add_port(actor=None, device=switch, number=6)
    with pytest.raises(InvalidDeviceData, match="port 1/5"):
        services.attach_binding(actor=None, binding=binding, port=other)


# API ------------------------------------------------------------------------------


def _token_client(client, user):  # type: ignore[no-untyped-def]
    _token, secret = create_api_token(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_api_lists_devices_the_user_may_see_and_runs_operations(
    client, switch, south_switch, stubs
):
    user = operator("api-op", ["view", "change_vlan"])
    headers = _token_client(client, user)
    listed = client.get("/api/v1/devices/", **headers).json()
    names = [d["name"] for d in (listed["items"] if isinstance(listed, dict) else listed)]
    assert names == ["sw-north-1"]
    ok = client.post(
        f"/api/v1/devices/{switch.pk}/operations/set_port_vlans",
        {"params": {"port": 2, "untagged": 100, "tagged": []}},
        content_type="application/json",
        **headers,
    )
    assert ok.status_code == 200, ok.content
    bad = client.post(
        f"/api/v1/devices/{switch.pk}/operations/set_port_vlans",
        {"params": {"port": 2, "untagged": 5000, "tagged": []}},
        content_type="application/json",
        **headers,
    )
    assert bad.status_code == 422 and "4094" in bad.json()["detail"]
    denied = client.post(
        f"/api/v1/devices/{switch.pk}/operations/reboot", {"params": {}},
        content_type="application/json", **headers,
    )  # fmt: skip
    assert denied.status_code == 403
    hidden = client.post(
        f"/api/v1/devices/{south_switch.pk}/operations/ports", {"params": {}},
        content_type="application/json", **headers,
    )  # fmt: skip
    assert hidden.status_code == 404
    stubs["switch"].down_hosts.add(str(switch.ip))
    timeout = client.post(
        f"/api/v1/devices/{switch.pk}/operations/ports", {"params": {}},
        content_type="application/json", **headers,
    )  # fmt: skip
    assert timeout.status_code == 504 and "did not answer" in timeout.json()["detail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("ip", "not-an-address"), ("site_id", 999999), ("parent_id", 999999)],
)
def test_api_create_with_bad_values_is_a_clear_422(client, admin_user, field, value):  # type: ignore[no-untyped-def]
    """Found by schemathesis: a malformed management IP was a 500."""
    import json

    headers = _token_client(client, admin_user)
    body = {"name": f"bad-{field}", "driver": "generic", field: value}
    response = client.post(
        "/api/v1/devices/", json.dumps(body), content_type="application/json", **headers
    )
    assert response.status_code == 422, response.content[:300]
