"""A port's mode and role (UI, API, action log), the IPoE binding put on an
inventory port (form and API, option 82 kept consistent), and unknown
driver names refused."""

from __future__ import annotations

import json

import pytest

from lastmile.accounts.services import create_api_token
from lastmile.devices import services
from lastmile.devices.models import Device, DeviceAction
from lastmile.network.models import AccessBinding
from tests.devices.conftest import operator
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _headers(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _token, secret = create_api_token(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# Port mode and role ----------------------------------------------------------------


def test_port_mode_and_role_are_edited_on_the_page_and_logged(switch, client):
    services.add_port(actor=None, device=switch, number=7)
    editor = operator("editor", ["view", "change"])
    client.force_login(editor)
    assert "port-settings" in client.get(f"/devices/{switch.pk}/").content.decode()
    client.post(f"/devices/{switch.pk}/ports/7/settings/", {"mode": "trunk", "role": "uplink"})
    port = switch.ports.get(number=7)
    assert (port.mode, port.role) == ("trunk", "uplink")
    row = DeviceAction.objects.get(operation="set_port_settings")
    assert row.actor_name == "editor" and row.parameters == {
        "port": 7, "mode": "trunk", "role": "uplink",
    }  # fmt: skip
    assert row.result == {"before": {"mode": "access", "role": ""}}
    bad = client.post(
        f"/devices/{switch.pk}/ports/7/settings/", {"mode": "mesh", "role": ""}, follow=True
    )
    assert "mesh" in bad.content.decode() and switch.ports.get(number=7).mode == "trunk"


def test_a_viewer_may_not_change_a_port(switch, client):
    services.add_port(actor=None, device=switch, number=7)
    client.force_login(operator("viewer", ["view"]))
    assert (
        client.post(f"/devices/{switch.pk}/ports/7/settings/", {"mode": "trunk"}).status_code == 404
    )
    assert switch.ports.get(number=7).mode == "access"


def test_port_mode_and_role_through_the_api(switch, client, south_switch):
    services.add_port(actor=None, device=switch, number=7)
    services.add_port(actor=None, device=south_switch, number=7)
    headers = _headers(operator("api-editor", ["view", "change"]))
    ok = client.patch(
        f"/api/v1/devices/{switch.pk}/ports/7", json.dumps({"role": "customer"}),
        content_type="application/json", **headers,
    )  # fmt: skip
    assert ok.status_code == 200 and ok.json()["role"] == "customer"
    bad = client.patch(
        f"/api/v1/devices/{switch.pk}/ports/7", json.dumps({"mode": "mesh"}),
        content_type="application/json", **headers,
    )  # fmt: skip
    assert bad.status_code == 422 and "mode" in bad.json()["detail"]
    hidden = client.patch(
        f"/api/v1/devices/{south_switch.pk}/ports/7", json.dumps({"mode": "trunk"}),
        content_type="application/json", **headers,
    )  # fmt: skip
    assert hidden.status_code == 404
    assert DeviceAction.objects.filter(operation="set_port_settings").count() == 1


def test_port_link_watch_through_the_api(switch, client):
    services.add_port(actor=None, device=switch, number=7, role="customer")
    headers = _headers(operator("api-watcher", ["view", "change"]))
    ok = client.patch(
        f"/api/v1/devices/{switch.pk}/ports/7", json.dumps({"watch": "always"}),
        content_type="application/json", **headers,
    )  # fmt: skip
    assert ok.status_code == 200
    assert (ok.json()["watch"], ok.json()["is_watched"]) == ("always", True)
    bad = client.patch(
        f"/api/v1/devices/{switch.pk}/ports/7", json.dumps({"watch": "sometimes"}),
        content_type="application/json", **headers,
    )  # fmt: skip
    assert bad.status_code == 422 and bad.json()["field"] == "watch"
    assert switch.ports.get(number=7).watch == "always"


def test_adding_a_port_with_an_unknown_mode_is_refused(switch, client):
    headers = _headers(operator("api-adder", ["view", "change"]))
    bad = client.post(
        f"/api/v1/devices/{switch.pk}/ports", json.dumps({"number": 9, "mode": "mesh"}),
        content_type="application/json", **headers,
    )  # fmt: skip
    assert bad.status_code == 422 and bad.json()["field"] == "mode"
    assert not switch.ports.filter(number=9).exists()


# Unknown driver names ---------------------------------------------------------------


def test_the_api_refuses_an_unknown_driver_name(client, admin_user):
    response = client.post(
        "/api/v1/devices/", json.dumps({"name": "x", "driver": "cisco_9000"}),
        content_type="application/json", **_headers(admin_user),
    )  # fmt: skip
    assert response.status_code == 422
    body = response.json()
    assert "Unknown device type 'cisco_9000'" in body["detail"] and "zte_c320" in body["detail"]
    assert not Device.objects.filter(name="x").exists()


def test_the_form_refuses_an_unknown_driver_name(admin_client):
    page = admin_client.post("/devices/add/", {"name": "x", "driver": "cisco_9000"})
    assert page.status_code == 200 and "cisco_9000" in page.content.decode()
    assert not Device.objects.filter(name="x").exists()


def test_a_device_whose_driver_is_gone_keeps_it_when_saved(db):
    gone = Device.objects.create(name="old", driver="vendor-removed")
    gone.address = "Lenina 1"
    services.save_device(actor=None, device=gone)
    gone.refresh_from_db()
    assert (gone.driver, gone.address) == ("vendor-removed", "Lenina 1")


# The IPoE binding on an inventory port ----------------------------------------------


@pytest.fixture
def ports(switch, south_switch):  # type: ignore[no-untyped-def]
    switch.mac = "00:11:22:33:44:55"
    switch.save()
    return {
        "north5": services.add_port(actor=None, device=switch, number=5, role="customer"),
        "north6": services.add_port(actor=None, device=switch, number=6),
        "south5": services.add_port(actor=None, device=south_switch, number=5),
    }


def _binding_staff():  # type: ignore[no-untyped-def]
    from tests.factories import grant

    user = operator("binder", ["view"])
    grant(user, AccessBinding, ["view", "add", "change"])
    from lastmile.customers.models import Customer

    grant(user, Customer, ["view"])
    return user


def test_the_binding_form_searches_ports_as_staff_type(ports, client):
    client.force_login(_binding_staff())
    html = client.get("/network/bindings/add/").content.decode()
    assert 'hx-get="/devices/ports/search/"' in html
    assert "sw-north-1" not in html and "sw-south-1" not in html  # no list up front
    customer = CustomerFactory(login="c1")
    done = client.post(
        "/network/bindings/add/",
        {"login": "c1", "remote_id": "00:11:22:33:44:55", "circuit_id": "0x000400640105",
         "device_port": ports["north5"].pk},
    )  # fmt: skip
    assert done.status_code == 302, done.content.decode()[:2000]
    binding = AccessBinding.objects.get(customer=customer)
    assert binding.device_port_id == ports["north5"].pk
    # option 82 matching still finds it by its key
    assert (binding.port_switch, binding.port_name) == ("00:11:22:33:44:55", "1/5")


def test_a_port_that_contradicts_option_82_saves_nothing(ports, client):
    client.force_login(_binding_staff())
    CustomerFactory(login="c2")
    page = client.post(
        "/network/bindings/add/",
        {"login": "c2", "remote_id": "00:11:22:33:44:55", "circuit_id": "0x000400640105",
         "device_port": ports["north6"].pk},
    )  # fmt: skip
    assert page.status_code == 200 and "port 1/5" in page.content.decode()
    assert not AccessBinding.objects.filter(customer__login="c2").exists()


def test_the_binding_api_takes_an_inventory_port(ports, client):
    headers = _headers(_binding_staff())
    customer = CustomerFactory(login="c3")
    created = client.post(
        "/api/v1/network/bindings",
        json.dumps({"customer_id": customer.pk, "mac": "aa:bb:cc:dd:ee:01",
                    "device_port_id": ports["north6"].pk}),
        content_type="application/json", **headers,
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["device_port_id"] == ports["north6"].pk
    hidden = client.patch(
        f"/api/v1/network/bindings/{created.json()['id']}",
        json.dumps({"device_port_id": ports["south5"].pk}),
        content_type="application/json", **headers,
    )  # fmt: skip
    assert hidden.status_code == 422 and "you may view" in hidden.json()["detail"]
    cleared = client.patch(
        f"/api/v1/network/bindings/{created.json()['id']}",
        json.dumps({"device_port_id": None}),
        content_type="application/json", **headers,
    )  # fmt: skip
    assert cleared.status_code == 200 and cleared.json()["device_port_id"] is None


# The port picker's search (htmx) ---------------------------------------------------------


def _search(client, **params):  # type: ignore[no-untyped-def]
    return client.get("/devices/ports/search/", params)


def _values(response) -> list[str]:  # type: ignore[no-untyped-def]
    import re

    return re.findall(r'<option value="(\d+)"', response.content.decode())


def test_the_port_search_finds_by_device_name_ip_and_number_in_scope(ports, client):
    client.force_login(_binding_staff())
    north5, north6, south5 = (str(ports[k].pk) for k in ("north5", "north6", "south5"))
    assert _values(_search(client, q="sw-")) == [north5, north6]  # not the South switch
    assert _values(_search(client, q="192.0.2.10")) == [north5, north6]
    assert south5 not in _values(_search(client, q="192.0.2.30"))  # the South switch's IP
    assert _values(_search(client, q="north 6")) == [north6]
    assert _values(_search(client, q="5")) == [north5]
    assert "No port matches." in _search(client, q="nothing-like-it").content.decode()


def test_the_port_search_pages_and_keeps_the_chosen_port_first(switch, client):
    for number in range(1, 8):
        services.add_port(actor=None, device=switch, number=number)
    client.force_login(_binding_staff())
    first = _search(client, q="north", per_page=3)
    assert len(_values(first)) == 3 and "4 more" in first.content.decode()
    third = _search(client, q="north", per_page=3, page=3)
    assert len(_values(third)) == 1 and "more" not in third.content.decode()
    seventh = str(switch.ports.get(number=7).pk)
    kept = _search(client, q="north", per_page=3, device_port=seventh)
    assert _values(kept)[0] == seventh and f'value="{seventh}" selected' in kept.content.decode()


def test_the_port_search_needs_a_login_and_scopes_the_chosen_port(ports, client):
    assert _search(client, q="sw").status_code == 302  # to the login page
    client.force_login(_binding_staff())
    hidden = _search(client, q="sw", selected=ports["south5"].pk)
    assert str(ports["south5"].pk) not in _values(hidden)


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"}, {"page": "-1"}, {"page": "abc"}, {"page": "99999999999999999999"},
        {"page": "1001"}, {"per_page": "0"}, {"per_page": "101"}, {"per_page": "1e3"},
        {"selected": "x"}, {"device_port": "1;DROP"}, {"q": "x" * 101}, {"q": "a\x00b"},
        {"q": "a b c d e f"},
    ],
)  # fmt: skip
def test_hostile_search_parameters_are_400_not_500(ports, client, params):
    client.force_login(_binding_staff())
    response = _search(client, **params)
    assert response.status_code == 400, response.content[:200]


def test_the_binding_form_saves_a_searched_port_and_refuses_a_hidden_one(ports, client):
    client.force_login(_binding_staff())
    CustomerFactory(login="c4")
    form = {"login": "c4", "mac": "aa:bb:cc:dd:ee:04", "q": "north 6"}
    hidden = client.post("/network/bindings/add/", {**form, "device_port": ports["south5"].pk})
    assert hidden.status_code == 200 and "Choose a port of a device you may view" in (
        hidden.content.decode()
    )
    assert not AccessBinding.objects.filter(customer__login="c4").exists()
    bad = client.post("/network/bindings/add/", {**form, "device_port": "not-a-port"})
    assert (
        bad.status_code == 200 and not AccessBinding.objects.filter(customer__login="c4").exists()
    )
    done = client.post("/network/bindings/add/", {**form, "device_port": ports["north6"].pk})
    assert done.status_code == 302, done.content.decode()[:2000]
    binding = AccessBinding.objects.get(customer__login="c4")
    assert binding.device_port_id == ports["north6"].pk
    edit = client.get(f"/network/bindings/{binding.pk}/").content.decode()
    assert f'<option value="{ports["north6"].pk}" selected>sw-north-1 (192.0.2.10) · 6' in edit
