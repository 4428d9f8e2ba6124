"""The cashier desk: the payment form with context, the receipt PDF, reversal
under its own permission, the shift report, and customer-group scoping."""

from __future__ import annotations

import csv
import io
import subprocess
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from lastmile.customers.models import Customer
from lastmile.finance import services
from lastmile.finance.models import Account, EntryKind, LedgerEntry, Payment
from tests.factories import (
    CustomerFactory,
    CustomerGroupFactory,
    SubscriptionFactory,
    TariffFactory,
    UserFactory,
    grant,
)

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _cashier(name: str = "cashier", *, reverse: bool = False, constraints=None):  # type: ignore[no-untyped-def]
    user = UserFactory(username=name)
    customer_scope = None if constraints is None else {"group_id": constraints}
    payment_scope = None if constraints is None else {"account__customer__group_id": constraints}
    grant(user, Customer, ["view"], customer_scope)
    actions = ["add", "view"] + (["reverse"] if reverse else [])
    grant(user, Payment, actions, payment_scope)
    return user


def _pay(client: Client, customer: Customer, amount: str, method: str = "cash", key: str = ""):  # type: ignore[no-untyped-def]
    url = f"/finance/customers/{customer.pk}/payment/"
    key = key or client.get(url).context["form"].initial["idempotency_key"]
    return client.post(url, {"amount": amount, "method": method, "idempotency_key": key})


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode()


def test_payment_form_shows_name_balance_debt_tariff_and_what_it_renews():
    customer = CustomerFactory(full_name="Ivan Petrov")
    SubscriptionFactory(customer=customer, tariff=TariffFactory(name="Home 100", price="650.00"))
    services.charge(
        customer_id=customer.pk, amount=Decimal("120.50"), idempotency_key="t", allow_debt=True
    )
    page = _client(_cashier()).get(f"/finance/customers/{customer.pk}/payment/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ivan Petrov" in html and customer.contract_number in html
    assert page.context["money"].balance == Decimal("-120.50")
    assert page.context["money"].debt == Decimal("120.50")
    assert "-120.50" in html and "Home 100 · 650.00" in html
    assert "Home 100: the next charge of 650.00" in html
    assert 'value="card_terminal"' in html and 'value="bank_transfer"' in html
    assert "At most 10,000,000.00\u00a0₽ in one payment." in html


def test_payment_over_the_configured_maximum_is_refused_and_nothing_written(settings):
    settings.LASTMILE.payment_max_amount = Decimal("50000.00")
    customer = CustomerFactory()
    page = _pay(_client(_cashier()), customer, "50000.01")
    assert page.status_code == 200
    assert "The amount is above the maximum of 50000.00." in page.content.decode()
    assert not Payment.objects.exists() and not LedgerEntry.objects.exists()
    settings.LASTMILE.payment_max_amount = Decimal("10000000.00")


def test_double_submit_of_one_form_gives_one_payment_with_its_method():
    customer = CustomerFactory()
    client = _client(_cashier())
    first = _pay(client, customer, "700", "card_terminal", key="k-1")
    second = _pay(client, customer, "700", "card_terminal", key="k-1")
    payment = Payment.objects.get()
    assert first["Location"] == second["Location"] == f"/finance/payments/{payment.pk}/"
    assert payment.gateway == "card_terminal" and payment.amount == Decimal("700.00")
    assert Account.objects.get(pk=customer.pk).balance == Decimal("700.00")


@pytest.mark.django_db(transaction=True)
def test_double_submit_racing_in_two_threads_gives_one_payment():
    customer = CustomerFactory()
    user = _cashier()
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def submit() -> None:
        client = _client(user)
        barrier.wait()
        codes.append(_pay(client, customer, "300", key="race").status_code)
        connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [302, 302]
    assert Payment.objects.count() == 1
    assert Account.objects.get(pk=customer.pk).balance == Decimal("300.00")


def test_receipt_is_a_pdf_with_isp_customer_amount_method_and_cashier(settings):
    settings.LASTMILE.isp_name = "Example Net LLC"
    customer = CustomerFactory(full_name="Ivan Petrov")
    client = _client(_cashier("kassa1"))
    location = _pay(client, customer, "1234.50", "bank_transfer")["Location"]
    detail = client.get(location).content.decode()
    payment = Payment.objects.get()
    assert f"/finance/payments/{payment.pk}/receipt.pdf" in detail
    response = client.get(f"/finance/payments/{payment.pk}/receipt.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for expected in ["Example Net LLC", "Ivan Petrov", "1,234.50", "Bank transfer", "kassa1"]:
        assert expected in text
    assert f"{payment.pk:08d}" in text
    settings.LASTMILE.isp_name = "lastmile ISP"


def test_reversal_needs_its_own_permission_and_writes_nothing_without_it():
    customer = CustomerFactory()
    cashier = _cashier()
    _pay(_client(cashier), customer, "500")
    payment = Payment.objects.get()
    client = _client(cashier)
    assert client.get(f"/finance/payments/{payment.pk}/reverse/").status_code == 403
    refused = client.post(
        f"/finance/payments/{payment.pk}/reverse/", {"reason": "typo", "idempotency_key": "r"}
    )
    assert refused.status_code == 403
    assert "Reverse payment" not in client.get(f"/finance/payments/{payment.pk}/").content.decode()
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).exists()


def test_reversal_confirms_then_writes_a_reversing_entry_linked_both_ways():
    customer = CustomerFactory()
    senior = _cashier("senior", reverse=True)
    client = _client(senior)
    _pay(client, customer, "500")
    payment = Payment.objects.get()
    confirm = client.get(f"/finance/payments/{payment.pk}/reverse/")
    assert confirm.status_code == 200 and "Take back 500.00" in confirm.content.decode()
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).exists()
    no_reason = client.post(
        f"/finance/payments/{payment.pk}/reverse/", {"reason": "  ", "idempotency_key": "r"}
    )
    assert no_reason.status_code == 200
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).exists()
    done = client.post(
        f"/finance/payments/{payment.pk}/reverse/",
        {"reason": "wrong customer", "idempotency_key": "r"},
    )
    assert done.status_code == 302
    entry = LedgerEntry.objects.get(kind=EntryKind.REVERSAL)
    assert entry.payment == payment and entry.amount == Decimal("-500.00")
    assert entry.reason == "wrong customer" and entry.actor == senior
    payment.refresh_from_db()
    assert payment.state == Payment.State.REVERSED
    assert Account.objects.get(pk=customer.pk).balance == Decimal("0.00")
    page = client.get(f"/finance/payments/{payment.pk}/").content.decode()
    assert "Reversed on" in page and f"#{entry.pk}" in page and "wrong customer" in page
    again = client.post(
        f"/finance/payments/{payment.pk}/reverse/",
        {"reason": "wrong customer", "idempotency_key": "r"},
    )
    assert again.status_code == 302  # a double submit: the first reversal stands
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 1


def test_shift_report_totals_per_cashier_and_method_equal_the_ledger():
    a, b = CustomerFactory(), CustomerFactory()
    anna = _cashier("anna", reverse=True)
    boris = _cashier("boris")
    ca, cb = _client(anna), _client(boris)
    _pay(ca, a, "100")
    _pay(ca, b, "250.50", "card_terminal")
    _pay(cb, a, "1000", "bank_transfer")
    _pay(cb, b, "40")
    services.record_payment(customer_id=a.pk, amount=Decimal("999"), gateway="payme")
    mistaken = Payment.objects.get(amount=Decimal("40.00"))
    services.reverse_payment(payment=mistaken, reason="typo", actor=anna)

    admin = UserFactory(username="chief", is_superuser=True)
    page = _client(admin).get("/finance/shift-report/")
    report = page.context["report"]
    rows = {(r.cashier, r.method): (r.count, r.received, r.reversed) for r in report.rows}
    assert rows == {
        ("anna", "card_terminal"): (1, Decimal("250.50"), Decimal("0.00")),
        ("anna", "cash"): (1, Decimal("100.00"), Decimal("0.00")),
        ("boris", "bank_transfer"): (1, Decimal("1000.00"), Decimal("0.00")),
        ("boris", "cash"): (1, Decimal("40.00"), Decimal("-40.00")),
    }
    desk = LedgerEntry.objects.filter(
        payment__gateway__in=["cash", "card_terminal", "bank_transfer"]
    )
    assert report.net == sum(e.amount for e in desk) == Decimal("1350.50")
    assert report.count == 4

    lines = list(
        csv.reader(
            io.StringIO(_client(admin).get("/finance/shift-report/?format=csv").content.decode())
        )
    )
    assert lines[-1] == ["Total", "", "4", "1390.50", "-40.00", "1350.50"]
    pdf = _client(admin).get("/finance/shift-report/?format=pdf")
    assert "1,350.50" in _pdf_text(pdf.content)


def test_shift_report_refuses_a_range_that_ends_before_it_starts(admin_client):
    page = admin_client.get("/finance/shift-report/?since=2026-12-02&until=2026-12-01")
    assert page.status_code == 200
    assert "The end date is before the start date." in page.content.decode()


def test_user_limited_to_one_group_cannot_pay_or_reverse_for_another_group():
    north, south = (
        CustomerGroupFactory(name="North"),
        CustomerGroupFactory(name="South"),
    )
    mine, theirs = CustomerFactory(group=north), CustomerFactory(group=south)
    limited = _cashier("north-cashier", reverse=True, constraints=north.pk)
    client = _client(limited)
    assert client.get(f"/finance/customers/{theirs.pk}/payment/").status_code == 404
    assert (
        client.post(
            f"/finance/customers/{theirs.pk}/payment/",
            {"amount": "10", "method": "cash", "idempotency_key": "x"},
        ).status_code
        == 404
    )
    assert not Payment.objects.exists()
    other = services.record_payment(customer_id=theirs.pk, amount=Decimal("10")).payment
    assert client.get(f"/finance/payments/{other.pk}/").status_code == 404
    assert client.get(f"/finance/payments/{other.pk}/receipt.pdf").status_code == 404
    assert (
        client.post(
            f"/finance/payments/{other.pk}/reverse/", {"reason": "x", "idempotency_key": "y"}
        ).status_code
        == 404
    )
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).exists()
    assert _pay(client, mine, "10").status_code == 302
