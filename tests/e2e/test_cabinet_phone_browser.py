"""The subscriber cabinet on a 390 px phone, in English and Russian: every page
the cabinet menu reaches (and the pages behind it: a request, the statement, the
forgotten-password pages) answers below 400 with every file it loads, logs no
browser error and is never wider than the screen.

With LASTMILE_SCREENSHOTS=<dir> the walk also saves a screenshot of each page
(390 and 1366 px) for a person to look at."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.utils import timezone

from lastmile.network.models import Nas, Session
from lastmile.tickets.models import TicketKind
from tests.e2e.page_watch import watch_page
from tests.factories import CustomerFactory, TariffFactory, TicketKindFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PASSWORD = "Violet-Harbor-58"
SHOTS = os.environ.get("LASTMILE_SCREENSHOTS", "")


def _subscriber():  # type: ignore[no-untyped-def]
    if not TicketKind.objects.exists():  # migration data, gone after an earlier flush
        TicketKindFactory(code="other", name="Other")
    customer = CustomerFactory(
        login="phone-sub",
        full_name="Анна Смирнова-Коваленко",
        balance="12345.67",
        email="anna@example.net",
    )
    customer.set_cabinet_password(PASSWORD)
    customer.save(update_fields=["cabinet_password"])
    TariffFactory(name="Home 100", price="650.00")
    nas = Nas.objects.create(name="nas-e2e", address="10.0.0.1")
    for n in range(12):
        started = timezone.now() - timedelta(days=n * 2)
        Session.objects.create(
            nas=nas,
            acct_session_id=f"e2e-{n}",
            customer=customer,
            started_at=started,
            updated_at=started,
            octets_out=(n + 1) * 700_000_000,
            octets_in=(n + 1) * 40_000_000,
        )
    return customer


def _visit(page, url: str, problems: list[str], current: dict[str, str], shot: str) -> None:  # type: ignore[no-untyped-def]
    current["url"] = url
    response = page.goto(url, wait_until="networkidle")
    assert response is not None
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    if width > viewport:
        problems.append(f"{url}: page is {width} px wide in a {viewport} px window")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{shot}.png", full_page=True)


def _nav_links(page, origin: str) -> list[str]:  # type: ignore[no-untyped-def]
    hrefs = page.eval_on_selector_all(".cab-nav a[href]", "links => links.map(a => a.href)")
    return [urldefrag(h).url for h in hrefs if urlsplit(h).netloc == urlsplit(origin).netloc]


def _walk(browser, origin: str, language: str, viewport: dict[str, int]) -> list[str]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=viewport)
    context.add_cookies([{"name": "django_language", "value": language, "url": origin}])
    page = context.new_page()
    problems: list[str] = []
    current = {"url": ""}
    watch_page(page, problems, current)
    tag = f"{language}-{viewport['width']}"

    # Logged out: the login and forgotten-password pages.
    _visit(page, f"{origin}/cabinet/login/", problems, current, f"{tag}-login")
    _visit(page, f"{origin}/cabinet/password/forgot/", problems, current, f"{tag}-forgot")
    page.fill("#id_login", "phone-sub")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{origin}/cabinet/password/reset/")
    _visit(page, f"{origin}/cabinet/password/reset/", problems, current, f"{tag}-reset")

    _visit(page, f"{origin}/cabinet/login/", problems, current, f"{tag}-login2")
    page.fill("#id_login", "phone-sub")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{origin}/cabinet/")

    # A support request written in the browser, so its page is walked too.
    page.goto(f"{origin}/cabinet/support/")
    page.fill(
        "#id_subject", "Нет интернета с утра" if language == "ru" else "No link since morning"
    )
    page.fill(
        "#id_message", "Роутер мигает красным." if language == "ru" else "The router blinks red."
    )
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r".*/cabinet/support/\d+/$"))
    request_url = page.url

    links = _nav_links(page, origin)
    assert len(links) == 9, links
    for n, url in enumerate(links):
        _visit(
            page,
            url,
            problems,
            current,
            f"{tag}-{n:02d}-{urlsplit(url).path.strip('/').replace('/', '_') or 'home'}",
        )
    page.goto(f"{origin}/cabinet/tariffs/")
    buy_url = page.eval_on_selector("a[href*='/buy/']", "a => a.href")
    extra = {"request": request_url, "statement": f"{origin}/cabinet/statement/", "buy": buy_url}
    for name, url in extra.items():
        _visit(page, url, problems, current, f"{tag}-{name}")
    assert page.locator("html").get_attribute("lang") == language
    context.close()
    return problems


@pytest.mark.parametrize("language", ["en", "ru"])
def test_cabinet_pages_fit_a_phone_and_load_cleanly(live_server, browser, language):
    _subscriber()
    problems = _walk(browser, live_server.url, language, PHONE)
    if SHOTS:  # the desktop view, for looking at only
        problems += _walk(browser, live_server.url, language, DESKTOP)
    assert not problems, "\n".join(problems)


def test_language_switcher_changes_the_cabinet_language(live_server, browser):
    _subscriber()
    context = browser.new_context(locale="en-US", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/cabinet/login/")
    page.fill("#id_login", "phone-sub")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/cabinet/")
    assert "12,345.67" in page.get_by_test_id("balance").inner_text()
    page.select_option("#cab-language", "ru")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert re.search(r"12\s345,67\s₽", page.get_by_test_id("balance").inner_text())
    assert page.get_by_role("link", name="Поддержка").is_visible()
    context.close()
