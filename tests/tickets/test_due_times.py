"""Due times read the same everywhere: the operator's local time (Europe/Moscow
in the tests), in the ticket lists as on the ticket page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.factories import TicketFactory
from tests.tickets.conftest import client_for

pytestmark = pytest.mark.django_db

DUE_UTC = datetime(2026, 12, 3, 11, 30, tzinfo=UTC)
DUE_LOCAL = "2026-12-03 14:30"  # UTC+3


def _due_cell(page: str) -> str:
    row = re.search(r'<tr[^>]*data-state="new"[^>]*>(.*?)</tr>', page, re.S)
    assert row, page
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return re.sub(r"<[^>]+>", "", cells[6]).strip()


def test_ticket_list_and_my_tickets_show_the_due_time_of_the_ticket_page(
    settings, dispatcher, tech, customer, kind
):
    assert settings.TIME_ZONE == "Europe/Moscow"
    ticket = TicketFactory(kind=kind, customer=customer, site=customer.site, due_at=DUE_UTC)
    ticket.executors.add(tech)
    detail = client_for(dispatcher).get(f"/tickets/{ticket.pk}/").content.decode()
    assert DUE_LOCAL in detail
    assert _due_cell(client_for(dispatcher).get("/tickets/").content.decode()) == DUE_LOCAL
    assert _due_cell(client_for(tech).get("/tickets/my/").content.decode()) == DUE_LOCAL
