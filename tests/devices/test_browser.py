"""The device pages in Chromium: the ports table refreshes through htmx, bulk
disabling asks first, the ONU list reads from the OLT.  Screenshots of each
page (1366 and 390 px, English and Russian) go to /tmp/devices-screens."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from lastmile.devices import services
from lastmile.devices.models import Device, DeviceAction, OnuTemplate, Port
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/devices-screens")


def _login(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_device_pages_in_the_browser(live_server, browser, stubs, north):  # type: ignore[no-untyped-def]
    UserFactory(username="boss", is_superuser=True, is_staff=True)
    switch = Device.objects.create(
        name="sw-north-1", driver="test-switch", ip="192.0.2.10", group=north, status="up",
        address="Lenina 1",
    )  # fmt: skip
    olt = Device.objects.create(
        name="olt-north", driver="test-olt", ip="192.0.2.20", group=north, status="down"
    )
    Device.objects.create(name="unmanaged box", group=north)
    services.run_operation(actor=None, device=switch, operation="ports")
    services.link_ports(
        actor=None,
        upper=switch.ports.get(number=4),
        lower=services.add_port(actor=None, device=olt, number=1, name="uplink"),
    )
    template = OnuTemplate.objects.create(name="F660 internet", onu_type="ZTE-F660", vlan=100)
    from lastmile.devices.onus import refresh_onus

    onu = refresh_onus(olt)[0]
    SHOTS.mkdir(exist_ok=True)
    for lang in ("en", "ru"):
        context = browser.new_context(locale="en-US")
        page = context.new_page()
        _login(page, live_server)
        if lang == "ru":
            page.select_option("#language-select", "ru")
            page.wait_for_selector("html[lang=ru]")
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            for name, url in (
                ("list", "/devices/"),
                ("switch", f"/devices/{switch.pk}/"),
                ("olt", f"/devices/{olt.pk}/"),
                ("wizard", f"/devices/{olt.pk}/onus/register/"),
                ("actions", "/devices/actions/"),
                ("edit", f"/devices/{olt.pk}/edit/"),
                ("onus", "/devices/onus/"),
                ("onu", f"/devices/onus/{onu.pk}/"),
                ("templates", "/devices/templates/"),
                ("template", f"/devices/templates/{template.pk}/"),
            ):
                page.goto(live_server.url + url)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(SHOTS / f"{name}-{lang}-{width}.png"), full_page=True)
        context.close()

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    _login(page, live_server)
    page.goto(f"{live_server.url}/devices/{olt.pk}/")
    expect(page.locator("#onus-table")).to_contain_text("ZTEGC0FFEE01")
    expect(page.locator("#onus-table .onu-vlans")).to_have_text("100, 200, 300")
    page.goto(f"{live_server.url}/devices/{switch.pk}/")
    with page.expect_response(lambda r: r.url.endswith(f"/devices/{switch.pk}/ports/")):
        page.get_by_role("button", name="Read from the device").first.click()
    expect(page.locator("#ports-table table")).to_be_visible()
    page.locator('input[name="select"][value="2"]').check()
    page.locator('input[name="select"][value="3"]').check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".messages")).to_contain_text("Ports 2, 3: disabled.")
    assert list(
        Port.objects.filter(device=switch, admin_up=False)
        .values_list("number", flat=True)
        .order_by("number")
    ) == [2, 3]
    assert DeviceAction.objects.filter(operation="set_port_admin", outcome="ok").count() == 2
    context.close()


def test_the_binding_port_picker_and_a_pending_uplink_in_russian(
    live_server, browser, stubs, north
):  # type: ignore[no-untyped-def]
    """At 390 px in Russian: the device page shows an uplink's unconfirmed link
    state; the binding form finds a port as staff type and saves it.
    Screenshots go to /tmp/devices-shots."""
    from lastmile.customers.models import Customer
    from lastmile.network.models import AccessBinding
    from tests.factories import CustomerFactory

    UserFactory(username="boss", is_superuser=True, is_staff=True)
    switch = Device.objects.create(
        name="sw-north-1", driver="test-switch", ip="192.0.2.10", group=north, status="up",
        address="Lenina 1",
    )  # fmt: skip
    services.run_operation(actor=None, device=switch, operation="ports")
    Port.objects.filter(device=switch, number=1).update(
        role="uplink", link_pending="down", link_pending_count=1
    )
    CustomerFactory(login="picker1")
    shots = Path("/tmp/devices-shots")
    shots.mkdir(exist_ok=True)
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 900})
    page = context.new_page()
    _login(page, live_server)
    page.select_option("#language-select", "ru")
    page.wait_for_selector("html[lang=ru]")
    page.goto(f"{live_server.url}/devices/{switch.pk}/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text("ещё не подтверждено")
    page.screenshot(path=str(shots / "device-ru-390.png"), full_page=True)
    page.goto(f"{live_server.url}/network/bindings/add/")
    page.fill("#id_login", "picker1")
    page.fill("#id_mac", "aa:bb:cc:dd:ee:31")
    page.locator("#id_device_port_search").press_sequentially("north 3")
    expect(page.locator("#id_device_port option")).to_have_count(2)  # — and port 3
    page.select_option("#id_device_port", label="sw-north-1 (192.0.2.10) · 3 port3")
    page.locator("form.card").screenshot(path=str(shots / "binding-form-ru-390.png"))
    # (an element screenshot: a full-page one resizes the page under the next click)
    with page.expect_navigation(wait_until="commit"):
        page.get_by_role("button", name="Сохранить").click()
    page.wait_for_url("**/customers/**")
    binding = AccessBinding.objects.get(customer=Customer.objects.get(login="picker1"))
    assert binding.device_port == Port.objects.get(device=switch, number=3)
    context.close()


ADDRESS_SHOTS = Path("/tmp/devices-addr")


def test_picking_the_registry_address_in_the_device_form(live_server, browser, north):  # type: ignore[no-untyped-def]
    """Typing in the picker lists registry houses (htmx); the picked one is
    saved with the typed text kept.  Screenshots of the form with the
    options open (1366 and 390 px, English and Russian) go to /tmp/devices-addr."""
    from lastmile.addresses.models import AddressObject

    UserFactory(username="boss", is_superuser=True, is_staff=True)
    town = AddressObject.objects.create(level="locality", type_short="г", name="Зеленоград")
    street = AddressObject.objects.create(
        parent=town, level="street", type_short="ул", name="Ленина"
    )
    house = AddressObject.objects.create(parent=street, level="house", name="12", building="1")
    device = Device.objects.create(name="sw-lenina", group=north, address="Ленина 12к1, подвал")
    ADDRESS_SHOTS.mkdir(exist_ok=True)
    for lang in ("en", "ru"):
        context = browser.new_context(locale="en-US")
        if lang == "ru":
            context.add_cookies(
                [{"name": "django_language", "value": "ru", "url": live_server.url}]
            )
        page = context.new_page()
        _login(page, live_server)
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}/devices/{device.pk}/edit/")
            page.fill("#id_address_object", "ленина 12")
            expect(page.locator("#id_address_object-options")).to_contain_text("д. 12 к. 1")
            page.locator("#id_address_object-picker").scroll_into_view_if_needed()
            page.screenshot(path=str(ADDRESS_SHOTS / f"edit-{lang}-{width}.png"))
        context.close()

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    _login(page, live_server)
    page.goto(f"{live_server.url}/devices/{device.pk}/edit/")
    page.fill("#id_address_object", "ленина 12")
    page.locator("#id_address_object-options label", has_text="д. 12 к. 1").first.click()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/devices/{device.pk}/")
    expect(page.get_by_test_id("device-registry-address")).to_have_text(
        "г Зеленоград, ул Ленина, д. 12 к. 1"
    )
    page.screenshot(path=str(ADDRESS_SHOTS / "detail-en-1366.png"), full_page=True)
    context.close()
    device.refresh_from_db()
    assert device.address_object == house and device.address == "Ленина 12к1, подвал"


def test_unmatched_devices_on_the_address_review_page(live_server, browser, north):  # type: ignore[no-untyped-def]
    """The review page's devices section after matching (screenshot in
    /tmp/devices-addr); the device's name leads to its form."""
    from lastmile.addresses.models import AddressObject
    from lastmile.devices.address_matching import match_device_addresses

    UserFactory(username="boss", is_superuser=True, is_staff=True)
    town = AddressObject.objects.create(level="locality", type_short="г", name="Зеленоград")
    AddressObject.objects.create(parent=town, level="street", type_short="ул", name="Ленина")
    lost = Device.objects.create(name="sw-pushkina", group=north, address="Зеленоград, Пушкина, 3")
    match_device_addresses()
    ADDRESS_SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    _login(page, live_server)
    page.goto(f"{live_server.url}/parties/address-review/")
    section = page.get_by_test_id("device-address-review")
    expect(section).to_contain_text("street not found")
    page.screenshot(path=str(ADDRESS_SHOTS / "review-en-1366.png"), full_page=True)
    section.get_by_role("link", name="sw-pushkina").click()
    page.wait_for_url(f"{live_server.url}/devices/{lost.pk}/edit/")
    context.close()
