"""Date filters: a date picker that also takes the format the tables print in
the active language, and a malformed date is an error on the page (an empty
list, never a silently unfiltered one, never a 500)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from lastmile.core.filters import DatePickerInput, LocalDateField, LocalDateTimeBoundField
from lastmile.finance.filtersets import PaymentFilterSet
from lastmile.notifications.filtersets import OutboxFilterSet
from lastmile.tickets.filtersets import TicketFilterSet
from lastmile.tickets.models import Ticket
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ru", "02.12.2026"),
        ("ru", "2026-12-02"),
        ("ru", "02.12.2026 10:15"),
        ("en", "12/02/2026"),
        ("en", "2026-12-02"),
        ("en", " 2026-12-02 "),
    ],
)
def test_a_date_is_read_as_the_tables_print_it(language, text):
    with translation.override(language):
        assert LocalDateField().clean(text) == date(2026, 12, 2)


@pytest.mark.parametrize("text", ["31.31.2026", "yesterday", "2026-13-01", "12/02/2026"])
def test_a_malformed_date_is_a_clear_error(text):
    from django.core.exceptions import ValidationError

    with translation.override("ru"), pytest.raises(ValidationError) as caught:
        LocalDateField().clean(text)  # 12/02/2026 is not a Russian spelling
    assert "не дата" in caught.value.messages[0]


def test_an_iso_date_time_stays_exact_for_the_api():
    moment = LocalDateTimeBoundField().clean("2026-12-02T10:15:00+00:00")
    assert moment == datetime(2026, 12, 2, 10, 15, tzinfo=ZoneInfo("UTC"))


def test_the_filters_render_date_pickers():
    for filterset in (TicketFilterSet(), PaymentFilterSet(), OutboxFilterSet()):
        dates = [f for f in filterset.form.fields.values() if isinstance(f, LocalDateField)]
        assert dates, filterset
        for field in dates:
            assert isinstance(field.widget, DatePickerInput)
            assert 'type="date"' in field.widget.render("x", None)
    assert DatePickerInput().format_value("02.12.2026") in ("02.12.2026", "2026-12-02")
    with translation.override("ru"):
        assert DatePickerInput().format_value("02.12.2026") == "2026-12-02"


def _ticket_due(day: int, hour: int) -> Ticket:
    due = timezone.make_aware(datetime(2026, 12, day, hour, 0))
    return TicketFactory(due_at=due)


def test_ticket_list_filters_by_a_local_day(admin_client):
    before, on_day_early, on_day_late, after = (
        _ticket_due(1, 23), _ticket_due(2, 0), _ticket_due(2, 23), _ticket_due(3, 0)
    )  # fmt: skip
    admin_client.cookies["django_language"] = "ru"
    response = admin_client.get(
        "/tickets/", {"due_after": "02.12.2026", "due_before": "02.12.2026"}
    )
    assert response.status_code == 200
    shown = {row.record.pk for row in response.context["table"].rows}
    assert shown == {on_day_early.pk, on_day_late.pk}
    assert before.pk not in shown and after.pk not in shown
    assert 'type="date"' in response.content.decode()


def test_a_malformed_date_on_a_list_is_shown_and_filters_nothing_in(admin_client):
    TicketFactory(due_at=timezone.now())
    admin_client.cookies["django_language"] = "ru"
    response = admin_client.get("/tickets/", {"due_after": "31.31.2026"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="filter-errors"' in body
    assert "«31.31.2026» не дата" in body or "31.31.2026" in body
    assert list(response.context["table"].rows) == []


@pytest.mark.parametrize(
    "path", ["/finance/payments/", "/notifications/", "/accounts/login-events/"]
)
def test_every_list_with_dates_reports_a_malformed_one(admin_client, path):
    key = "created_after" if "notifications" in path else "since"
    response = admin_client.get(path, {key: "not-a-date"})
    assert response.status_code == 200, path
    assert 'data-testid="filter-errors"' in response.content.decode(), path


def test_an_export_with_a_malformed_date_is_not_an_unfiltered_file(admin_client):
    response = admin_client.get("/finance/payments/", {"since": "nope", "_export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert 'data-testid="filter-errors"' in response.content.decode()
