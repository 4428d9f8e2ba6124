"""The registry object form and the customer form's registry picker in
Chromium: a street is added with its SOCRBASE type; the customer's address
is picked from the registry.

With ``LASTMILE_SCREENSHOTS=/some/dir`` both forms are also saved in Russian
at 390 px (an object without a type code, flagged)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lastmile.addresses.gar import import_gar
from lastmile.addresses.models import AddressObject
from lastmile.customers.models import Customer
from tests.factories import PASSWORD, CustomerFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GAR = Path(__file__).parents[1] / "addresses" / "gar" / "77"


def _login(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_adding_a_street_and_picking_a_customer_address(live_server, page):
    import_gar(GAR)
    UserFactory(username="boss", is_superuser=True, is_staff=True)
    town = AddressObject.objects.get(gar_object_id=200)
    customer = CustomerFactory(login="petrov", locality="Зеленоград", street="Ленина", house="12")
    _login(page, live_server)

    page.goto(f"{live_server.url}/addresses/add/?parent={town.pk}")
    page.select_option("#id_level", "street")
    page.select_option("#id_type_code", "729")
    page.fill("#id_name", "Новая")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved")
    assert AddressObject.objects.get(name="Новая", parent=town).type_code == 729

    page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")
    page.fill("#id_address_object", "ленина 12")
    options = page.locator("#id_address_object-options label", has_text="ул Ленина, д. 12")
    options.first.click()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/customers/{customer.pk}/")
    picked = Customer.objects.get(pk=customer.pk).address_object
    assert picked is not None and picked.name == "12"


@pytest.mark.skipif(
    not os.environ.get("LASTMILE_SCREENSHOTS"), reason="LASTMILE_SCREENSHOTS not set"
)
def test_registry_form_screenshots(live_server, browser):
    import_gar(GAR)
    UserFactory(username="boss", is_superuser=True, is_staff=True)
    town = AddressObject.objects.get(gar_object_id=200)
    odd = AddressObject.objects.create(
        parent=town, level="street", type_short="жилмассив", name="Северный"
    )
    customer = CustomerFactory(login="petrov", locality="Зеленоград", street="Ленина", house="12")
    out = Path(os.environ["LASTMILE_SCREENSHOTS"])
    out.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 900}, locale="ru")
    context.add_cookies([{"name": "django_language", "value": "ru", "url": live_server.url}])
    page = context.new_page()
    _login(page, live_server)
    page.goto(f"{live_server.url}/addresses/{odd.pk}/edit/")
    page.screenshot(path=str(out / "address-form-ru-390.png"), full_page=True)
    page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")
    page.fill("#id_address_object", "ленина 12")
    expect(page.locator("#id_address_object-options")).to_contain_text("д. 12")
    page.locator("#id_address_object-picker").scroll_into_view_if_needed()
    page.screenshot(path=str(out / "customer-form-ru-390.png"))
    context.close()
