"""Every page the menus reach, in English and Russian, as the demo admin and as
a limited technician see it: the page and every file it loads answer below
400, the browser logs no error, nothing is wider than a 1366 px viewport, a
Russian page shows no English UI string (a visible text that is a msgid the
compiled Russian catalogue translates), and no page shows a raw choice code
(``in_progress`` where the label is "in progress"), and table headers
start with a capital letter.  On a 390 px phone the
ticket pages a technician uses do not scroll sideways either (tables scroll
in their box)."""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.apps import apps
from django.db import transaction

import lastmile
from lastmile.core.demo import load_demo_data
from lastmile.tickets.models import Ticket, TicketKind
from tests.e2e.page_watch import watch_page
from tests.factories import PASSWORD, TicketKindFactory, UserFactory, grant

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# The top menu and the sub-menus of the areas it leads to.
MENU_LINKS = "header nav a[href], nav.subnav a[href]"


# Visible text of the page: text nodes, placeholders, titles and button values.
# Code samples, the language names and what the user typed are not UI text.
VISIBLE_TEXTS = """() => {
  const skip = "script,style,code,pre,textarea,option,[translate=no],.langform";
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || el.closest(skip) || !el.checkVisibility()) continue;
    const text = walker.currentNode.textContent.replace(/\\s+/g, " ").trim();
    if (text) out.push(text);
  }
  document.querySelectorAll("[placeholder],[title],input[type=submit][value]").forEach((el) => {
    if (el.closest(skip)) return;
    for (const attr of ["placeholder", "title"]) {
      if (el.getAttribute(attr)) out.push(el.getAttribute(attr).trim());
    }
    if (el.type === "submit" && el.value) out.push(el.value.trim());
  });
  return out;
}"""


@cache
def _translated_msgids() -> frozenset[str]:
    """The English strings our compiled Russian catalogue translates."""
    mo = Path(lastmile.__file__).parent / "locale/ru/LC_MESSAGES/django.mo"
    with mo.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    found = set()
    for key, value in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        msgid = msgid.split("\x04", 1)[-1]  # drop a context
        if msgid and value and value != msgid and any(c.isalpha() for c in msgid):
            found.add(msgid)
    return frozenset(found)


@cache
def _raw_codes() -> frozenset[str]:
    """Choice values of our models that differ from their label ("in_progress")."""
    codes = set()
    for model in apps.get_models():
        if not model.__module__.startswith("lastmile."):
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if (
                    isinstance(value, str)
                    and any(c.isalpha() for c in value)
                    and value.lower() != str(label).lower()
                ):
                    codes.add(value)
    return frozenset(codes)


def _text_problems(url: str, texts: list[str], language: str) -> list[str]:
    problems = []
    english = _translated_msgids() if language == "ru" else frozenset()
    codes = _raw_codes()
    for text in dict.fromkeys(texts):
        bare = text.rstrip(":").strip()
        if bare in english or text in english:
            problems.append(f"{url}: English text {text!r}")
        elif bare in codes:
            problems.append(f"{url}: raw choice code {text!r}")
    return problems


def _menu_links(page, origin: str) -> list[str]:  # type: ignore[no-untyped-def]
    hrefs = page.eval_on_selector_all(MENU_LINKS, "links => links.map(a => a.href)")
    return [urldefrag(h).url for h in hrefs if urlsplit(h).netloc == urlsplit(origin).netloc]


def _crawl(page, origin: str, language: str = "en") -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """Visit the dashboard and every menu page once; return (visited, problems)."""
    problems: list[str] = []
    current = {"url": ""}
    watch_page(page, problems, current)
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
        path = urlsplit(url).path
        if path.startswith(("/admin/", "/api/")):
            continue  # Django's admin and the API docs are visited, not crawled or read
        problems.extend(_text_problems(url, page.evaluate(VISIBLE_TEXTS), language))
        # Column headers start with a capital ("Телефоны", not "телефоны").
        headers = page.eval_on_selector_all(
            "thead th", "cells => cells.map(th => th.innerText.trim()).filter(Boolean)"
        )
        problems.extend(
            f"{url}: lowercase header {h!r}" for h in headers if h[0].isalpha() and h[0].islower()
        )
        queue.extend(link for link in _menu_links(page, origin) if link not in seen)
    return sorted(seen), problems


def _log_in_as_admin(page, origin: str) -> None:  # type: ignore[no-untyped-def]
    _log_in(page, origin, "admin", "admin")


def _log_in(page, origin: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{origin}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{origin}/")


def _crawl_both_languages(browser, origin: str, username: str, password: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="en-US", viewport=VIEWPORT)
    page = context.new_page()
    _log_in(page, origin, username, password)
    visited_en, problems_en = _crawl(page, origin)
    page.goto(f"{origin}/")
    page.select_option("#language-select", "ru")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "ru"
    visited_ru, problems_ru = _crawl(context.new_page(), origin, "ru")
    context.close()
    problems = [f"en {p}" for p in problems_en] + [f"ru {p}" for p in problems_ru]
    return visited_en, visited_ru, problems


def test_a_limited_role_sees_only_pages_it_may_open(live_server, browser):
    """A technician (customers and tickets, sessions and leases) follows every
    menu link it is shown: none answers 403, and the pages read as for the admin."""
    from lastmile.customers.models import Customer
    from lastmile.network.models import Lease, Session

    with transaction.atomic():
        load_demo_data(customers=10, seed=1)
    tech = UserFactory(username="e2e-tech")
    grant(tech, Customer, ["view"])
    grant(tech, Ticket, ["view", "change"])
    grant(tech, Session, ["view"])
    grant(tech, Lease, ["view"])
    visited_en, visited_ru, problems = _crawl_both_languages(
        browser, live_server.url, "e2e-tech", PASSWORD
    )
    paths = {urlsplit(u).path for u in visited_en}
    assert {"/customers/", "/tickets/"} <= paths, paths
    assert not any(p.startswith(("/finance/", "/accounts/", "/admin/")) for p in paths), paths
    assert visited_ru == visited_en
    assert not problems, "\n".join(problems)


def test_every_menu_page_loads_cleanly_in_both_languages(live_server, browser):
    with transaction.atomic():
        load_demo_data(customers=30, seed=1)
    visited_en, visited_ru, problems = _crawl_both_languages(
        browser, live_server.url, "admin", "admin"
    )
    # The menus reach every area, not just the dashboard.
    assert len(visited_en) >= 10, visited_en
    assert visited_ru == visited_en
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
