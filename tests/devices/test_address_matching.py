"""Devices' typed installation addresses matched to the registry with the
customers' matching (``parties.matching.find_address``); the devices that
did not match are shown on the review list of typed addresses."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from lastmile.addresses.models import AddressObject
from lastmile.devices.address_matching import match_device_addresses, split_address
from lastmile.devices.models import Device, DeviceAddressReview
from lastmile.parties.models import AddressReview
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry() -> dict[str, AddressObject]:
    town = AddressObject.objects.create(level="locality", type_short="г", name="Зеленоград")
    street = AddressObject.objects.create(
        parent=town, level="street", type_short="ул", name="Ленина"
    )
    return {
        "street": street,
        "12k1": AddressObject.objects.create(parent=street, level="house", name="12", building="1"),
        "5": AddressObject.objects.create(parent=street, level="house", name="5"),
    }


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Зеленоград, ул. Ленина, 12к1", ("Зеленоград", "ул. Ленина", "12к1", "")),
        ("Москва, Зеленоград, Ленина, д. 5, подвал", ("Зеленоград", "Ленина", "д. 5", "подвал")),
        ("Зеленоград, Ленина 12к1, кв. 3", ("Зеленоград", "Ленина", "12к1", "кв. 3")),
        ("Зеленоград, 1-я Парковая, 7", ("Зеленоград", "1-я Парковая", "7", "")),
        ("Зеленоград, 7", ("Зеленоград", "", "7", "")),
        ("чердак у Иванова", ("", "", "", "")),
    ],
)
def test_a_typed_address_is_split_into_the_parts_the_matching_takes(text, parts):
    assert split_address(text) == parts


def test_a_device_whose_text_names_one_registry_house_is_linked(registry):
    device = Device.objects.create(name="sw-1", address="Зеленоград, ул. Ленина, 12к1, подвал")
    result = match_device_addresses()
    device.refresh_from_db()
    assert device.address_object == registry["12k1"]
    assert (result.matched, result.unmatched) == (1, 0)
    assert device.address == "Зеленоград, ул. Ленина, 12к1, подвал"


def test_a_device_that_does_not_match_goes_to_review_with_the_reason(registry):
    no_house = Device.objects.create(name="sw-1", address="Зеленоград, Ленина, 99")
    no_street = Device.objects.create(name="sw-2", address="Зеленоград, Пушкина, 5")
    no_text = Device.objects.create(name="sw-3", address="чердак")
    result = match_device_addresses(batch=2)
    assert (result.matched, result.unmatched) == (0, 3)
    reasons = dict(DeviceAddressReview.objects.values_list("device__name", "reason"))
    assert reasons == {"sw-1": "no_house", "sw-2": "no_street", "sw-3": "empty"}
    assert not Device.objects.filter(
        pk__in=[no_house.pk, no_street.pk, no_text.pk], address_object__isnull=False
    ).exists()


def test_a_later_match_takes_the_device_off_the_review_list(registry):
    device = Device.objects.create(name="sw-1", address="Зеленоград, Ленина, 7")
    match_device_addresses()
    AddressObject.objects.create(parent=registry["street"], level="house", name="7")
    match_device_addresses()
    assert DeviceAddressReview.objects.get(device=device).is_resolved
    device.refresh_from_db()
    assert device.address_object is not None and device.address_object.name == "7"


def test_a_device_already_linked_keeps_its_object(registry):
    device = Device.objects.create(
        name="sw-1", address="Зеленоград, Ленина, 12к1", address_object=registry["5"]
    )
    assert match_device_addresses().matched == 0
    device.refresh_from_db()
    assert device.address_object == registry["5"]


def test_the_match_addresses_command_links_devices_too(registry):
    device = Device.objects.create(name="sw-1", address="Зеленоград, Ленина, 5")
    call_command("match_addresses")
    device.refresh_from_db()
    assert device.address_object == registry["5"]


def test_the_review_page_lists_the_devices_that_did_not_match(admin_client, registry):
    Device.objects.create(name="sw-lost", address="Зеленоград, Пушкина, 5")
    match_device_addresses()
    page = admin_client.get(reverse("parties:review_list")).content.decode()
    section = page[page.index('data-testid="device-address-review"') :]
    assert "sw-lost" in section and "Зеленоград, Пушкина, 5" in section
    assert "street not found" in section


def test_the_review_page_shows_only_devices_the_user_may_see(client, registry, north, south):
    Device.objects.create(name="sw-north", group=north, address="Зеленоград, Пушкина, 1")
    Device.objects.create(name="sw-south", group=south, address="Зеленоград, Пушкина, 2")
    match_device_addresses()
    clerk = UserFactory(username="clerk")
    grant(clerk, AddressReview, ["view"])
    grant(clerk, Device, ["view"], constraints={"group__name": "North"})
    client.force_login(clerk)
    page = client.get(reverse("parties:review_list")).content.decode()
    assert "sw-north" in page and "sw-south" not in page


def test_picking_the_address_in_the_form_takes_the_device_off_the_page(admin_client, registry):
    device = Device.objects.create(name="sw-lost", address="Зеленоград, Пушкина, 5")
    match_device_addresses()
    Device.objects.filter(pk=device.pk).update(address_object=registry["5"])
    page = admin_client.get(reverse("parties:review_list")).content.decode()
    assert "sw-lost" not in page


def test_the_review_pages_button_matches_devices(admin_client, registry):
    device = Device.objects.create(name="sw-1", address="Зеленоград, Ленина, 5")
    response = admin_client.post(reverse("parties:review_match"))
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.address_object == registry["5"]
