"""Header search by a phone typed differently lands on the customer; the
dashboard draws its chart with no console error and fits the viewport."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lastmile.finance import services as finance
from tests.factories import PASSWORD, CustomerFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("LASTMILE_UI_SHOTS", "/tmp/ui-shots-dash"))


def _login(page, url):  # type: ignore[no-untyped-def]
    page.goto(f"{url}/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def test_header_search_by_phone_lands_on_customer(live_server, page):  # type: ignore[no-untyped-def]
    UserFactory(username="boss", is_superuser=True)
    customer = CustomerFactory(login="phone-owner", phones=["+7 (910) 833-86-90"])
    CustomerFactory(login="someone-else", phones=["+7 (915) 000-11-22"])
    _login(page, live_server.url)
    page.goto(f"{live_server.url}/tickets/")
    page.fill("#header-search", "89108338690")
    page.press("#header-search", "Enter")
    page.wait_for_url(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator("main")).to_contain_text("phone-owner")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_dashboard_chart_draws_and_fits(live_server, browser, language):  # type: ignore[no-untyped-def]
    boss = UserFactory(username="boss", is_superuser=True)
    customer = CustomerFactory(login="payer", phones=["89108338690"])
    finance.record_payment(customer_id=customer.pk, amount="1234.50", actor=boss)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        context = browser.new_context(
            locale="ru-RU" if language == "ru" else "en-US",
            viewport={"width": width, "height": 900},
        )
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        _login(page, live_server.url)
        # Chart.js marks the canvas it drew on.
        page.wait_for_function(
            "() => { const c = document.getElementById('payments-chart');"
            " return c && window.Chart && window.Chart.getChart(c) !== undefined; }"
        )
        page.screenshot(path=str(SHOTS / f"dashboard-{language}-{width}.png"), full_page=True)
        page.fill("#header-search", "payer")
        page.press("#header-search", "Enter")
        page.wait_for_url(f"{live_server.url}/customers/{customer.pk}/")
        page.goto(f"{live_server.url}/search/?q=9108")
        page.screenshot(path=str(SHOTS / f"search-{language}-{width}.png"), full_page=True)
        assert errors == []
        page.goto(f"{live_server.url}/")
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"dashboard is {wide}px wide at {width}px"
        context.close()
