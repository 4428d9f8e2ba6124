"""Every page the menus reach, in English and Russian, as the demo admin sees it:
the page and every file it loads answer below 400, the browser logs no error,
and nothing is wider than a 1366 px viewport.  On a 390 px phone the ticket
pages a technician uses do not scroll sideways either (tables scroll in
their box)."""

from __future__ import annotations

from urllib.parse import urldefrag, urlsplit

import pytest
from django.db import transaction

from lastmile.core.demo import load_demo_data
from lastmile.tasks.models import Ticket, TicketKind
from tests.factories import TicketKindFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# The top menu and the sub-menus of the areas it leads to.
MENU_LINKS = "header nav a[href], nav.subnav a[href]"


def _menu_links(page, origin: str) -> list[str]:  # type: ignore[no-untyped-def]
    hrefs = page.eval_on_selector_all(MENU_LINKS, "links => links.map(a => a.href)")
    return [urldefrag(h).url for h in hrefs if urlsplit(h).netloc == urlsplit(origin).netloc]


def _crawl(page, origin: str) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """Visit the dashboard and every menu page once; return (visited, problems)."""
    problems: list[str] = []
    current = {"url": ""}
    page.on(
        "response",
        lambda r: r.status >= 400 and problems.append(f"{current['url']}: {r.status} {r.url}"),
    )
    # ERR_ABORTED is the browser cancelling a page's late request (Swagger's
    # openapi.json) when the crawl moves on: a navigation, not a fault.
    page.on(
        "requestfailed",
        lambda r: (
            "ERR_ABORTED" not in (r.failure or "")
            and problems.append(f"{current['url']}: failed {r.url} ({r.failure})")
        ),
    )
    page.on(
        "console",
        lambda m: m.type == "error" and problems.append(f"{current['url']}: console {m.text}"),
    )
    page.on("pageerror", lambda e: problems.append(f"{current['url']}: script error {e}"))
    queue, seen = [f"{origin}/"], set()
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        current["url"] = url
        response = page.goto(url, wait_until="networkidle")
        assert response is not None
        if response.status >= 400:
            continue  # already recorded by the response listener
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > VIEWPORT["width"]:
            problems.append(f"{url}: page is {width} px wide in a {VIEWPORT['width']} px window")
        if urlsplit(url).path.startswith("/admin/"):
            continue  # Django's admin is visited, not crawled
        queue.extend(link for link in _menu_links(page, origin) if link not in seen)
    return sorted(seen), problems


def _log_in_as_admin(page, origin: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{origin}/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin")
    page.click("button[type=submit]")
    page.wait_for_url(f"{origin}/")


def test_every_menu_page_loads_cleanly_in_both_languages(live_server, browser):
    with transaction.atomic():
        load_demo_data(customers=30, seed=1)
    context = browser.new_context(locale="en-US", viewport=VIEWPORT)
    page = context.new_page()
    _log_in_as_admin(page, live_server.url)

    visited_en, problems_en = _crawl(page, live_server.url)
    # Switch the language from the start page (the crawl may end on the admin
    # or the API docs, which have their own chrome).
    page.goto(f"{live_server.url}/")
    page.select_option("#language-select", "ru")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "ru"
    ru_page = context.new_page()
    visited_ru, problems_ru = _crawl(ru_page, live_server.url)
    context.close()

    # The menus reach every area, not just the dashboard.
    assert len(visited_en) >= 10, visited_en
    assert visited_ru == visited_en
    problems = [f"en {p}" for p in problems_en] + [f"ru {p}" for p in problems_ru]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_ticket_pages_fit_a_phone(live_server, browser, language):
    if not TicketKind.objects.exists():  # migration data, gone after an earlier flush
        TicketKindFactory(code="repair", name="Repair")
    with transaction.atomic():
        load_demo_data(customers=10, seed=1)
    ticket = Ticket.objects.order_by("pk").first()
    assert ticket is not None
    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    _log_in_as_admin(page, live_server.url)
    widths = {}
    for path in ("/tickets/", f"/tickets/{ticket.pk}/", f"/customers/{ticket.customer_id}/"):
        page.goto(f"{live_server.url}{path}", wait_until="networkidle")
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert widths == dict.fromkeys(widths, PHONE["width"])
