"""/api/v1/me payments, receipts and statements: the same queries and documents
as the cabinet pages, mine only."""

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
from tests.cabinet.conftest import bearer, make_subscriber
from tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


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


@pytest.fixture
def api(history) -> Client:  # type: ignore[no-untyped-def]
    return Client(headers=bearer(history))


def _period(days_back: int = 1) -> dict[str, str]:
    today = timezone.localdate()
    return {
        "date_from": (today - timedelta(days=days_back)).isoformat(),
        "date_to": today.isoformat(),
    }


def test_payments_are_mine_newest_first_and_paged(api, history):
    PaymentFactory(customer=make_subscriber(login="gina"), amount="55.00")
    response = api.get(f"{ME}/payments", {"limit": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    newest = body["items"][0]
    assert (newest["amount"], newest["receipt_number"], newest["state"]) == (
        "200.00",
        "R-7",
        "completed",
    )
    older = api.get(f"{ME}/payments", {"limit": 1, "offset": 1}).json()["items"]
    assert older[0]["amount"] == "1000.00"


def test_starting_an_online_payment_still_answers_on_the_same_path(api):
    response = api.post(f"{ME}/payments", {"amount": "-1"}, content_type="application/json")
    assert response.status_code == 422


def test_the_receipt_of_my_payment_is_a_pdf(api, history):
    mine = Payment.objects.get(account_id=history.pk, external_id="t-2")
    response = api.get(f"{ME}/payments/{mine.pk}/receipt.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="receipt-{mine.pk}.pdf"' in response["Content-Disposition"]


def test_the_receipt_of_another_customers_payment_is_404(api):
    theirs = PaymentFactory(customer=make_subscriber(login="gina"), amount="55.00")
    response = api.get(f"{ME}/payments/{theirs.pk}/receipt.pdf")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_statement_has_opening_every_entry_and_closing(api):
    response = api.get(f"{ME}/statement", _period())
    assert response.status_code == 200
    body = response.json()
    assert (body["opening"], body["closing"]) == ("1000.00", "900.00")
    assert (body["credits"], body["debits"]) == ("200.00", "-300.00")
    assert [e["amount"] for e in body["entries"]] == ["-300.00", "200.00"]
    assert body["date_to"] == timezone.localdate().isoformat()


def test_the_statement_defaults_to_this_month(api):
    body = api.get(f"{ME}/statement").json()
    today = timezone.localdate()
    assert (body["date_from"], body["date_to"]) == (
        today.replace(day=1).isoformat(),
        today.isoformat(),
    )


def test_the_statement_is_mine_only(api, history):
    other = make_subscriber(login="gina", balance="50.00")
    charge(customer_id=other.pk, amount=Decimal("5.00"), idempotency_key="g:1", reason="gina-only")
    body = api.get(f"{ME}/statement", _period(60)).content.decode()
    assert "gina-only" not in body and "50.00" not in body


def test_the_statement_csv_is_the_same_as_the_pages(api, history):
    from tests.cabinet.conftest import cabinet_login

    via_api = api.get(f"{ME}/statement.csv", _period(60))
    assert via_api.status_code == 200 and via_api["Content-Type"].startswith("text/csv")
    page_period = {"start": _period(60)["date_from"], "end": _period(60)["date_to"]}
    via_page = cabinet_login(Client(), history).get("/cabinet/statement.csv", page_period)
    assert via_api.content == via_page.content
    rows = list(csv.reader(io.StringIO(via_api.content.decode("utf-8-sig"))))
    assert rows[-1] == ["", "Closing balance", "", "900.00", ""]


def test_the_statement_pdf(api):
    response = api.get(f"{ME}/statement.pdf", _period())
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_reversed_period_is_422_naming_date_to(api):
    today = timezone.localdate()
    period = {"date_from": today.isoformat(), "date_to": (today - timedelta(days=3)).isoformat()}
    response = api.get(f"{ME}/statement", period)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "date_to" and body["detail"] == "The end is before the start."


def test_a_period_over_a_year_is_422(api):
    response = api.get(f"{ME}/statement.csv", _period(400))
    assert response.status_code == 422
    assert response.json()["detail"] == "A statement covers at most one year."


def test_a_malformed_date_is_422_naming_the_parameter(api):
    response = api.get(f"{ME}/statement", {"date_from": "2026-13-40"})
    assert response.status_code == 422
    assert "date_from" in response.json()["detail"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_at_the_calendars_edge_is_422_not_500(api, day):
    response = api.get(f"{ME}/statement.pdf", {"date_from": day, "date_to": day})
    assert response.status_code == 422
    assert response.json()["field"] == "date_from"


@pytest.mark.parametrize(
    "path", ["/payments", "/payments/1/receipt.pdf", "/statement", "/statement.csv"]
)
def test_documents_need_cabinet_credentials(db, path):
    response = Client().get(f"{ME}{path}")
    assert response.status_code == 401
