"""Receipts and statements in the cabinet: read from the ledger, PDF and CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pgtrigger
import pytest
from django.test import Client
from django.utils import timezone

from lastmile.finance.models import LedgerEntry, Payment
from lastmile.finance.services import charge, record_payment
from tests.cabinet.conftest import cabinet_login, make_subscriber


@pytest.fixture
def history(db):  # type: ignore[no-untyped-def]
    """1000 paid 40 days ago, then (today) 300 charged and 200 paid."""
    customer = make_subscriber(login="frank", balance="1000.00")
    with pgtrigger.ignore("finance.LedgerEntry:append_only"):
        LedgerEntry.objects.filter(account_id=customer.pk).update(
            created_at=timezone.now() - timedelta(days=40)
        )
    charge(
        customer_id=customer.pk, amount=Decimal("300.00"), idempotency_key="t:1", reason="Home 100"
    )
    record_payment(
        customer_id=customer.pk, amount="200.00", external_id="t-2", receipt_number="R-7"
    )
    return customer


def _period(days_back: int = 1) -> dict[str, str]:
    today = timezone.localdate()
    return {"start": (today - timedelta(days=days_back)).isoformat(), "end": today.isoformat()}


def test_statement_page_has_opening_every_entry_and_closing(history):
    client = cabinet_login(Client(), history)
    page = client.get("/cabinet/statement/", _period()).content.decode()
    assert 'data-testid="opening">1,000.00\xa0₽' in page
    assert "Home 100" in page
    closing = page.split('data-testid="closing">')[1][:40]
    assert "900.00" in closing


def test_statement_of_the_whole_history_opens_at_zero(history):
    client = cabinet_login(Client(), history)
    response = client.get("/cabinet/statement.csv", _period(60))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["", "Opening balance", "", "0.00", ""]
    assert [r[2] for r in rows[2:-1]] == ["1000.00", "-300.00", "200.00"]
    assert rows[-1] == ["", "Closing balance", "", "900.00", ""]


def test_statement_csv_is_the_period_only(history):
    client = cabinet_login(Client(), history)
    rows = list(
        csv.reader(
            io.StringIO(client.get("/cabinet/statement.csv", _period()).content.decode("utf-8-sig"))
        )
    )
    assert rows[1][3] == "1000.00" and rows[-1][3] == "900.00"
    assert len(rows) == 2 + 2 + 1  # header, opening, two entries, closing


def test_statement_pdf(history):
    client = cabinet_login(Client(), history)
    response = client.get("/cabinet/statement.pdf", _period())
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_bad_period_is_a_message_not_an_error(history):
    client = cabinet_login(Client(), history)
    response = client.get("/cabinet/statement/", {"start": "2026-13-40", "end": "x"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    today = timezone.localdate()
    reversed_period = {"start": today.isoformat(), "end": (today - timedelta(days=3)).isoformat()}
    response = client.get("/cabinet/statement/", reversed_period)
    assert "The end is before the start." in response.content.decode()


def test_receipt_of_own_payment_only(history):
    outsider = make_subscriber(login="gina", balance="50.00")
    client = cabinet_login(Client(), history)
    mine = Payment.objects.get(account_id=history.pk, external_id="t-2")
    page = client.get("/cabinet/payments/").content.decode()
    assert f"/cabinet/payments/{mine.pk}/receipt.pdf" in page and "R-7" in page
    response = client.get(f"/cabinet/payments/{mine.pk}/receipt.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    theirs = Payment.objects.get(account_id=outsider.pk)
    assert client.get(f"/cabinet/payments/{theirs.pk}/receipt.pdf").status_code == 404


def test_ledger_links_payments_to_their_receipts(history):
    client = cabinet_login(Client(), history)
    mine = Payment.objects.get(account_id=history.pk, external_id="t-2")
    assert (
        f"/cabinet/payments/{mine.pk}/receipt.pdf"
        in client.get("/cabinet/ledger/").content.decode()
    )


def test_statement_never_writes(history):
    client = cabinet_login(Client(), history)
    before = list(LedgerEntry.objects.values_list("id", "balance_after"))
    client.get("/cabinet/statement/", _period())
    assert list(LedgerEntry.objects.values_list("id", "balance_after")) == before


def test_a_period_at_the_calendars_end_is_a_message_not_a_500(history):
    client = cabinet_login(Client(), history)
    response = client.get("/cabinet/statement/", {"start": "9999-12-31", "end": "9999-12-31"})
    assert response.status_code == 400
    assert "Choose a date from 1970-01-01 to 9998-12-31." in response.content.decode()
