"""htmx is served and works: the notification template Preview button (htmx
only, no form submit) shows the rendered message under the form."""

from __future__ import annotations

import pytest
from django.db import transaction
from playwright.sync_api import expect

from lastmile.core.demo import load_demo_data
from lastmile.notifications.models import NotificationTemplate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_template_preview_button_renders_the_message(live_server, page):
    with transaction.atomic():
        load_demo_data(customers=3, seed=1)
    template = NotificationTemplate.objects.order_by("pk").first()
    assert template is not None
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/notifications/templates/{template.pk}/")
    expect(page.locator("#preview")).to_be_empty()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview .card")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/notifications/templates/{template.pk}/")
