"""The switches file places a device at its registry address (the access
points' full text), falls back to the typed address, and the data-gaps
report lists a switch that is not linked to the registry."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from lastmile.addresses.models import AddressObject
from lastmile.devices.models import Device
from lastmile.sorm import sources, validation
from lastmile.sorm.filetypes import REGISTRY
from lastmile.sorm.formats import render_to_bytes
from lastmile.sorm.models import DataGap, GapKind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("journal_clock")]


@pytest.fixture
def house() -> AddressObject:
    town = AddressObject.objects.create(level="locality", type_short="г", name="Зеленоград")
    street = AddressObject.objects.create(
        parent=town, level="street", type_short="ул", name="Ленина"
    )
    return AddressObject.objects.create(parent=street, level="house", name="12", building="1")


def _places() -> dict[str, str]:
    sources.reset_caches()  # address parts are cached per run
    window = sources.Window(until=timezone.now())
    return {row["title"]: row["place"] for row in sources.rows_for("switches", window)}


def test_a_linked_device_is_placed_at_its_registry_address(house):
    device = Device.objects.create(name="sw-1", address="Ленина 12к1, щиток", address_object=house)
    assert _places() == {f"switch_{device.pk}": "г Зеленоград, ул Ленина, д. 12 к. 1"}


def test_an_unlinked_device_keeps_its_typed_address(db):
    device = Device.objects.create(name="sw-1", address="  Зеленоград, Ленина 99  ")
    assert _places() == {f"switch_{device.pk}": "Зеленоград, Ленина 99"}


def test_a_linked_device_without_typed_text_is_still_a_switch(house):
    device = Device.objects.create(name="sw-1", address_object=house)
    assert _places() == {f"switch_{device.pk}": "г Зеленоград, ул Ленина, д. 12 к. 1"}


def test_a_device_with_no_address_at_all_is_not_a_switch(db):
    Device.objects.create(name="lab-box")
    assert _places() == {}


def test_the_registry_text_is_what_the_file_carries(house):
    device = Device.objects.create(name="sw-1", address="подвал", address_object=house)
    sources.reset_caches()
    window = sources.Window(until=timezone.now())
    data = render_to_bytes(REGISTRY["switches"], sources.rows_for("switches", window))
    assert f'"switch_{device.pk}";"internal";'.encode() in data
    assert '"г Зеленоград, ул Ленина, д. 12 к. 1"'.encode() in data
    assert "подвал".encode() not in data


def test_a_switch_not_linked_to_the_registry_is_a_data_gap(db):
    device = Device.objects.create(name="sw-typed", address="Зеленоград, Ленина 99")
    validation.refresh_gaps()
    gap = DataGap.objects.get(object_type="device")
    assert (gap.kind, gap.file_type, gap.object_id) == (
        GapKind.NO_ADDRESS,
        "switches",
        str(device.pk),
    )
    assert "sw-typed" in gap.message and "Зеленоград, Ленина 99" in gap.message
    assert gap.customer_id is None


def test_a_linked_switch_and_a_device_without_address_are_no_gaps(house):
    Device.objects.create(name="sw-linked", address="Ленина 12к1", address_object=house)
    Device.objects.create(name="lab-box")
    validation.refresh_gaps()
    assert not DataGap.objects.filter(object_type="device").exists()


def test_the_gaps_page_shows_the_switch_as_a_device(admin_client, db):
    Device.objects.create(name="sw-typed", address="Зеленоград, Ленина 99")
    validation.refresh_gaps()
    page = admin_client.get(reverse("sorm:gap_list"), {"kind": GapKind.NO_ADDRESS})
    html = page.content.decode()
    assert page.status_code == 200
    assert "sw-typed" in html and "Switches" in html and ">device<" in html


def test_the_gap_links_to_the_device_form_where_it_is_fixed(admin_client, db):
    device = Device.objects.create(name="sw-typed", address="Зеленоград, Ленина 99")
    validation.refresh_gaps()
    html = admin_client.get(reverse("sorm:gap_list")).content.decode()
    assert f'href="/devices/{device.pk}/edit/"' in html
