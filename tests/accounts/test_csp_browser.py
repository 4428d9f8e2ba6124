"""Under the Content-Security-Policy, real Chromium runs the pages' scripts
(htmx, the moved handlers) and reports no violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.cabinet.conftest import PASSWORD as CABINET_PASSWORD
from tests.cabinet.conftest import make_subscriber
from tests.e2e.conftest import browser, page  # noqa: F401  (Chromium fixtures)
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _collect_violations(page):  # type: ignore[no-untyped-def]  # noqa: F811
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def test_staff_pages_work_under_the_policy(live_server, page):  # noqa: F811
    UserFactory(username="olga", is_superuser=True)
    violations = _collect_violations(page)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Dashboard")
    page.goto(f"{live_server.url}/customers/")
    page.fill("input[type=search]", "nobody")  # htmx filter request
    page.wait_for_load_state("networkidle")
    page.select_option("#language-select", "ru")  # data-autosubmit
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert violations == []


def test_cabinet_pages_work_under_the_policy(live_server, page):  # noqa: F811
    make_subscriber(login="alice", full_name="Alice Doe", balance="10.00")
    violations = _collect_violations(page)
    page.goto(f"{live_server.url}/cabinet/login/")
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", CABINET_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/cabinet/")
    page.select_option("#cab-language", "ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert violations == []
