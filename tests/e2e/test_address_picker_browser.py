"""The address registry picker in Chromium: typing lists matching objects
(htmx, no inline script), the picked one is saved with the form.

With ``LASTMILE_SCREENSHOTS=/some/dir`` the picker is also saved at 1366 and
390 px in English and Russian."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lastmile.parties.models import LegalEntity
from tests.e2e.test_parties_browser import _login, _world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _open_picker(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.fill("#id_legal_address", "ленина 12")
    expect(page.locator("#id_legal_address-options")).to_contain_text("д. 12")


def test_picking_a_registry_address_for_a_legal_entity(live_server, page):
    entity, *_ = _world()
    _login(page, live_server)
    _open_picker(page, f"{live_server.url}/parties/legal/{entity.pk}/edit/")
    page.locator("#id_legal_address-options label", has_text="ул Ленина, д. 12").first.click()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/parties/legal/{entity.pk}/")
    entity = LegalEntity.objects.get(pk=entity.pk)
    assert entity.legal_address is not None
    assert entity.legal_address.name == "12"


def test_a_search_without_a_pick_keeps_the_linked_address(live_server, page):
    """Staff type in the picker of an address already linked, change their
    mind and save: the link stays (the search used to replace the chosen
    option and the save unlinked the address)."""
    entity, *_ = _world()
    _login(page, live_server)
    _open_picker(page, f"{live_server.url}/parties/legal/{entity.pk}/edit/")
    page.locator("#id_legal_address-options label", has_text="ул Ленина, д. 12").first.click()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/parties/legal/{entity.pk}/")
    linked = LegalEntity.objects.get(pk=entity.pk).legal_address
    page.goto(f"{live_server.url}/parties/legal/{entity.pk}/edit/")
    page.fill("#id_legal_address", "Пушкина")
    expect(page.locator("#id_legal_address-options")).to_contain_text("Nothing else")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/parties/legal/{entity.pk}/")
    assert LegalEntity.objects.get(pk=entity.pk).legal_address == linked


@pytest.mark.skipif(
    not os.environ.get("LASTMILE_SCREENSHOTS"), reason="LASTMILE_SCREENSHOTS not set"
)
def test_picker_screenshots(live_server, browser):
    entity, *_ = _world()
    out = Path(os.environ["LASTMILE_SCREENSHOTS"])
    out.mkdir(parents=True, exist_ok=True)
    for language in ("en", "ru"):
        for width in (1366, 390):
            context = browser.new_context(viewport={"width": width, "height": 900}, locale=language)
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            page = context.new_page()
            if language == "en" and width == 1366:
                _login(page, live_server)
            else:
                from tests.factories import PASSWORD

                page.goto(f"{live_server.url}/login/")
                page.fill("#id_username", "boss")
                page.fill("#id_password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(f"{live_server.url}/")
            _open_picker(page, f"{live_server.url}/parties/legal/{entity.pk}/edit/")
            page.locator("#id_legal_address-picker").scroll_into_view_if_needed()
            page.screenshot(path=str(out / f"picker-{language}-{width}.png"))
            context.close()
