"""A dispatcher creates a ticket from a customer, assigns it; the technician
finishes it with a comment: real pages in Debian's Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lastmile.customers.models import Customer
from lastmile.tickets.models import Ticket
from tests.factories import (
    PASSWORD,
    CustomerFactory,
    SiteFactory,
    TicketKindFactory,
    UserFactory,
    grant,
)

pytestmark = pytest.mark.e2e


def _login(page, live_server, username):  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_create_assign_and_finish_a_ticket(live_server, browser, transactional_db):
    north = SiteFactory(name="North", slug="north")
    dispatcher = UserFactory(username="dispatcher", site=north)
    grant(dispatcher, Ticket, ["view", "add", "change"], {"site__slug": "north"})
    grant(dispatcher, Customer, ["view"], {"site__slug": "north"})
    tech = UserFactory(username="tech", site=north)
    grant(tech, Ticket, ["view"], {"site__slug": "north"})
    UserFactory(username="retired", site=north, is_active=False)
    kind = TicketKindFactory(code="repair", name="Repair")
    customer = CustomerFactory(
        reachable=True, login="e2e-cust", site=north, street="Lenina", house="7"
    )

    context = browser.new_context()
    page = context.new_page()
    _login(page, live_server, "dispatcher")

    # The customer page's "New ticket" link leads here.
    page.goto(f"{live_server.url}/tickets/add/?customer={customer.pk}")
    expect(page.locator("#ticket-customer")).to_have_text("e2e-cust")
    page.select_option("#id_kind", str(kind.pk))
    page.fill("#id_description", "No link since the storm")
    expect(page.get_by_label("retired")).to_have_count(0)
    page.get_by_label("tech").first.check()
    page.click("#ticket-form button[type=submit]")
    expect(page.locator("#ticket-state")).to_have_attribute("data-state", "new")
    expect(page.locator("#ticket-executors")).to_have_text("tech")
    ticket_url = page.url

    # Reassign: the dispatcher becomes responsible too.
    page.select_option("#id_responsible", label="dispatcher")
    page.click("#assign-save")
    expect(page.locator("#ticket-responsible")).to_have_text("dispatcher")
    expect(page.locator("#ticket-log tr.log-assigned")).to_have_count(2)
    context.close()

    # The technician starts and finishes it with a comment.
    context = browser.new_context()
    page = context.new_page()
    _login(page, live_server, "tech")
    page.goto(f"{live_server.url}/tickets/my/")
    page.click(f"a[href='{ticket_url.replace(live_server.url, '')}']")
    page.click("#to-in_progress")
    expect(page.locator("#ticket-state")).to_have_attribute("data-state", "in_progress")
    page.click("#to-done")  # without a comment: refused
    expect(page.locator("#ticket-actions .errors")).to_contain_text("A comment is required")
    page.fill("#transition-comment", "Replaced the damaged drop cable")
    page.click("#to-done")
    expect(page.locator("#ticket-state")).to_have_attribute("data-state", "done")
    expect(page.locator("#ticket-log")).to_contain_text("Replaced the damaged drop cable")
    context.close()

    ticket = Ticket.objects.get()
    assert ticket.state == "done"
    assert list(ticket.log.values_list("action", flat=True)) == [
        "created",
        "assigned",
        "assigned",
        "state",
        "state",
    ]
