"""Log in, switch to Russian, see Russian; a wrong password shows a message."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_and_switch_to_russian(live_server, page):
    UserFactory(username="olga", first_name="Olga")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Dashboard")
    page.select_option("#language-select", "ru")
    expect(page.locator("h1")).to_have_text("Панель управления")
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "ru"


def test_wrong_password_shows_a_message(live_server, page):
    UserFactory(username="olga")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", "not the password")
    page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_contain_text("Wrong username or password")
