"""A device's installation address in the address registry: picked in the
form (the typed text stays as the label), shown on the page, given and read
through the API, and refused with a clear message when it is not an active
object the user may see."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lastmile.accounts.services import create_api_token
from lastmile.addresses.models import AddressObject
from lastmile.devices import services
from lastmile.devices.errors import InvalidDeviceData
from lastmile.devices.models import Device, DeviceAddressReview
from tests.devices.conftest import operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def house() -> AddressObject:
    town = AddressObject.objects.create(level="locality", type_short="г", name="Зеленоград")
    street = AddressObject.objects.create(
        parent=town, level="street", type_short="ул", name="Ленина"
    )
    return AddressObject.objects.create(parent=street, level="house", name="12", building="1")


def _form(**values: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "sw-lenina-12",
        "driver": "unknown",
        "snmp_version": "2c",
        "snmp_port": "161",
        "cli_port": "23",
        "address": "Зеленоград, Ленина 12к1, подвал",
    }
    data.update(values)
    return data


def _headers(user: Any) -> dict[str, str]:
    _token, secret = create_api_token(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _post(client: Any, user: Any, body: dict[str, object]) -> Any:
    return client.post(
        "/api/v1/devices/", json.dumps(body), content_type="application/json", **_headers(user)
    )


def test_the_edit_form_has_the_picker_after_the_typed_address(admin_client):
    page = admin_client.get("/devices/add/").content.decode()
    assert 'name="address_object__q"' in page and "/addresses/pick/?field=address_object" in page
    assert page.index('name="address"') < page.index('name="address_object__q"')
    assert page.index('name="address_object__q"') < page.index('name="group"')


def test_a_picked_object_is_saved_and_the_typed_text_kept(admin_client, house):
    response = admin_client.post("/devices/add/", _form(address_object=house.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    device = Device.objects.get(name="sw-lenina-12")
    assert device.address_object == house
    assert device.address == "Зеленоград, Ленина 12к1, подвал"
    page = admin_client.get(f"/devices/{device.pk}/edit/").content.decode()
    assert f'value="{house.pk}" checked' in page


def test_an_unpicked_typed_address_is_matched_on_save(admin_client, house):
    """Saved without a pick, a typed address naming one registry house is
    linked at once (as ``lastmile match-addresses`` would link it tonight);
    the text stays as the label."""
    admin_client.post("/devices/add/", _form(address_object=""))
    device = Device.objects.get(name="sw-lenina-12")
    assert device.address_object == house and device.address.startswith("Зеленоград")


def test_an_unmatched_typed_address_goes_to_review_at_once(admin_client, house):
    admin_client.post("/devices/add/", _form(address_object="", address="Тверь, Советская 1"))
    device = Device.objects.get(name="sw-lenina-12")
    assert device.address_object is None
    review = DeviceAddressReview.objects.get(device=device)
    assert review.reason == "no_locality" and not review.is_resolved


def test_a_kept_text_is_not_matched_again_when_other_fields_change(house):
    """Staff who unlinked the object on purpose keep it unlinked: only a new
    or changed text is matched."""
    device = services.save_device(actor=None, device=Device(name="sw-1", address="Ленина 12"))
    assert device.address_object is None  # "Ленина 12" names no locality
    device.address = "Зеленоград, Ленина 12к1"
    services.save_device(actor=None, device=device)
    assert device.address_object == house
    device.address_object = None
    device.description = "unlinked on purpose"
    services.save_device(actor=None, device=device)
    device.refresh_from_db()
    assert device.address_object is None


def test_an_object_the_actor_may_not_see_is_left_to_the_nightly_match(house, north):
    user = operator("north-adder-2", ["view", "add", "change"])
    device = services.save_device(
        actor=user, device=Device(name="sw-2", group=north, address="Зеленоград, Ленина 12к1")
    )
    assert device.address_object is None


def test_the_device_page_shows_the_registry_address(admin_client, house):
    device = Device.objects.create(name="sw-1", address="Ленина 12", address_object=house)
    page = admin_client.get(f"/devices/{device.pk}/").content.decode()
    assert "г Зеленоград, ул Ленина, д. 12 к. 1" in page and "Ленина 12" in page


def test_the_device_page_says_when_the_device_is_not_linked(admin_client, db):
    device = Device.objects.create(name="sw-1", address="Ленина 12")
    page = admin_client.get(f"/devices/{device.pk}/").content.decode()
    assert 'data-testid="device-registry-address"><span class="muted">not linked' in page


def test_the_api_creates_a_device_with_a_registry_address_and_shows_it(client, admin_user, house):
    created = _post(client, admin_user, {"name": "sw-api", "address_object_id": house.pk})
    assert created.status_code == 201, created.content
    assert created.json()["address_object_id"] == house.pk
    device_id = created.json()["id"]
    shown = client.get(f"/api/v1/devices/{device_id}", **_headers(admin_user)).json()
    assert shown["address_object_id"] == house.pk


@pytest.mark.parametrize("unknown", [999999, -1, 2**63])
def test_the_api_refuses_an_unknown_registry_address_with_a_clear_422(
    client, admin_user, db, unknown
):
    response = _post(client, admin_user, {"name": "sw-api", "address_object_id": unknown})
    assert response.status_code == 422, response.content
    assert f"no active address {unknown} in the registry" in response.json()["detail"]
    assert not Device.objects.filter(name="sw-api").exists()


def test_the_api_refuses_an_address_the_user_may_not_see(client, house, north):
    user = operator("north-adder", ["view", "add"])
    body = {"name": "sw-api", "group_id": north.pk, "address_object_id": house.pk}
    response = _post(client, user, body)
    assert response.status_code == 422, response.content
    assert f"no active address {house.pk} in the registry" in response.json()["detail"]
    assert not Device.objects.filter(name="sw-api").exists()


def test_a_retired_object_cannot_be_newly_picked(house):
    house.is_active = False
    house.save()
    device = Device(name="sw-1", address_object=house)
    with pytest.raises(InvalidDeviceData) as error:
        services.save_device(actor=None, device=device)
    assert error.value.field == "address_object"


def test_an_object_retired_after_it_was_picked_stays_on_save(house):
    device = services.save_device(actor=None, device=Device(name="sw-1", address_object=house))
    AddressObject.objects.filter(pk=house.pk).update(is_active=False)
    device.description = "moved the uplink"
    services.save_device(actor=None, device=device)
    device.refresh_from_db()
    assert device.address_object_id == house.pk and device.description == "moved the uplink"
