"""Staff pages and REST endpoints of the ledger call the same services."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from lastmile.accounts.services import create_api_token
from lastmile.finance.models import Account, LedgerEntry, Payment
from tests.factories import CustomerFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def cashier():  # type: ignore[no-untyped-def]
    from lastmile.customers.models import Customer

    user = UserFactory(username="cashier")
    grant(user, Customer, ["view"])
    grant(user, Payment, ["add", "view"])
    return user


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _bearer(user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    _t, secret = create_api_token(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_cashier_records_payment_once_even_if_form_resubmitted(cashier):
    customer = CustomerFactory()
    client = _client(cashier)
    form = client.get(f"/finance/customers/{customer.pk}/payment/")
    key = form.context["form"].initial["idempotency_key"]
    data = {
        "amount": "1500,50",
        "method": "cash",
        "receipt_number": "R-1",
        "idempotency_key": key,
    }
    assert client.post(f"/finance/customers/{customer.pk}/payment/", data).status_code == 302
    assert client.post(f"/finance/customers/{customer.pk}/payment/", data).status_code == 302
    assert Account.objects.get(pk=customer.pk).balance == Decimal("1500.50")
    assert Payment.objects.get().actor == cashier


def test_payment_form_rejects_bad_amount_with_a_message(cashier):
    customer = CustomerFactory()
    page = _client(cashier).post(
        f"/finance/customers/{customer.pk}/payment/",
        {"amount": "12.345", "method": "cash", "idempotency_key": "k"},
    )
    assert page.status_code == 200
    assert "two decimal places" in page.content.decode()
    assert not Payment.objects.exists()


def test_cashier_cannot_correct_balance(cashier):
    customer = CustomerFactory()
    response = _client(cashier).post(
        f"/finance/customers/{customer.pk}/correction/",
        {"amount": "100", "reason": "x", "idempotency_key": "k"},
    )
    assert response.status_code == 403
    assert not LedgerEntry.objects.exists()


def test_correction_needs_a_reason(admin_client):
    customer = CustomerFactory()
    page = admin_client.post(
        f"/finance/customers/{customer.pk}/correction/",
        {"amount": "100", "reason": "", "idempotency_key": "k"},
    )
    assert page.status_code == 200
    assert not LedgerEntry.objects.exists()


def test_customer_page_shows_balance_and_ledger(admin_client):
    customer = CustomerFactory(balance="42.00")
    page = admin_client.get(f"/customers/{customer.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "42.00" in html and "Accept payment" in html


def test_outsider_gets_404_for_someone_elses_money():
    customer = CustomerFactory(balance="10")
    outsider = UserFactory(username="outsider")
    grant(outsider, Payment, ["add"])
    assert _client(outsider).get(f"/finance/customers/{customer.pk}/payment/").status_code == 404
    response = Client().get(f"/api/v1/finance/customers/{customer.pk}/account", **_bearer(outsider))
    assert response.status_code == 404


def test_ledger_report_totals_by_kind(admin_client):
    a = CustomerFactory(balance="100")
    CustomerFactory(balance="50")
    page = admin_client.get("/finance/ledger/?kind=payment")
    assert page.status_code == 200
    totals = list(page.context["totals"])
    assert totals == [
        {"kind": "payment", "count": 2, "total": Decimal("150.00"), "label": "payment"}
    ]
    assert a.login in page.content.decode()


def test_api_payment_is_idempotent_and_money_is_a_string(cashier):
    customer = CustomerFactory()
    auth = _bearer(cashier)
    body = json.dumps({"amount": "250.10", "external_id": "ext-1"})
    url = f"/api/v1/finance/customers/{customer.pk}/payments"
    first = Client().post(url, body, content_type="application/json", **auth)
    again = Client().post(url, body, content_type="application/json", **auth)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["amount"] == "250.10"
    account = Client().get(f"/api/v1/finance/customers/{customer.pk}/account", **auth).json()
    assert account["balance"] == "250.10"


def test_api_refuses_money_as_a_json_number(cashier):
    customer = CustomerFactory()
    response = Client().post(
        f"/api/v1/finance/customers/{customer.pk}/payments",
        json.dumps({"amount": 0.1, "external_id": "x"}),
        content_type="application/json",
        **_bearer(cashier),
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert not Payment.objects.exists()


def test_api_same_key_different_amount_is_409(cashier):
    customer = CustomerFactory()
    url = f"/api/v1/finance/customers/{customer.pk}/payments"
    auth = _bearer(cashier)
    Client().post(
        url,
        json.dumps({"amount": "1", "external_id": "k"}),
        content_type="application/json",
        **auth,
    )
    clash = Client().post(
        url,
        json.dumps({"amount": "2", "external_id": "k"}),
        content_type="application/json",
        **auth,
    )
    assert clash.status_code == 409
    assert Account.objects.get(pk=customer.pk).balance == Decimal("1.00")


def test_api_ledger_pages(admin_user):
    customer = CustomerFactory(balance="5")
    response = Client().get(
        f"/api/v1/finance/customers/{customer.pk}/ledger", **_bearer(admin_user)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["items"][0]["balance_after"] == "5.00"


@pytest.mark.parametrize("amount", ["1e3", "1_000", "\u0661\u0660\u0660", "10,5", "99999999999.99"])
def test_payment_form_refuses_lenient_or_huge_amounts(cashier, amount):
    customer = CustomerFactory()
    page = _client(cashier).post(
        f"/finance/customers/{customer.pk}/payment/",
        {"amount": amount, "method": "cash", "idempotency_key": "k"},
    )
    if amount == "10,5":  # a person may type a decimal comma
        assert page.status_code == 302
        assert Payment.objects.get().amount == Decimal("10.50")
        return
    assert page.status_code == 200
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "amount", ["\u0661\u0660\u0660", "\uff11\uff10", "99999999999.99", "999999999999.99", "1e3"]
)
def test_api_refuses_unicode_digits_and_amounts_above_the_maximum(cashier, amount):
    customer = CustomerFactory()
    response = Client().post(
        f"/api/v1/finance/customers/{customer.pk}/payments",
        json.dumps({"amount": amount, "external_id": "big"}),
        content_type="application/json",
        **_bearer(cashier),
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert not Payment.objects.exists()


def test_balance_that_would_overflow_the_column_is_refused(settings):
    from lastmile.finance.errors import InvalidAmount
    from lastmile.finance.services import record_payment

    settings.LASTMILE = settings.LASTMILE.model_copy(
        update={"payment_max_amount": Decimal("999999999999.99")}
    )
    customer = CustomerFactory(balance="999999999999.00")
    with pytest.raises(InvalidAmount):
        record_payment(customer_id=customer.pk, amount="1.00", external_id="overflow")
    assert not Payment.objects.filter(external_id="overflow").exists()
    assert Account.objects.get(pk=customer.pk).balance == Decimal("999999999999.00")
