"""RNCB protocol over real HTTP: check, pay, balance; guards before money."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from lastmile.finance.gateways.models import GatewayRequestLog
from lastmile.finance.models import Account, Payment
from tests.factories import CustomerFactory
from tests.gateways.conftest import configure, http_request, in_threads

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "rncb-shared-secret"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"rncb:{SECRET}".encode()).decode()}


@pytest.fixture
def rncb(db):  # type: ignore[no-untyped-def]
    return configure("rncb", credentials={"secret": SECRET}, max_amount="15000.00")


def call(
    base_url: str, headers: dict[str, str] | None = None, **query: str
) -> tuple[int, ET.Element]:
    reply = http_request(
        base_url, "GET", "/pay/rncb/", query=query, headers=AUTH if headers is None else headers
    )
    return reply.status, ET.fromstring(reply.body)


def pay(base_url: str, account: str, payment_id: str, summa: str = "300.50", **extra: Any):  # type: ignore[no-untyped-def]
    return call(
        base_url,
        QueryType="pay",
        Account=account,
        Payment_id=payment_id,
        Summa=summa,
        Exec_date="20260110123000",
        **extra,
    )


def balance(customer_id: int) -> Decimal:
    account = Account.objects.filter(pk=customer_id).first()
    return account.balance if account else Decimal("0.00")


def test_check_returns_balance_of_known_customer(base_url, rncb):
    customer = CustomerFactory(login="ivanov", full_name="Ivan Ivanov", balance="12.30")
    status, xml = call(base_url, QueryType="check", Account="ivanov")
    assert status == 200
    assert xml.tag == "CHECKRESPONSE"
    assert xml.findtext("ERROR") == "0"
    assert xml.findtext("BALANCE") == "12.30"
    assert xml.findtext("FIO") == customer.full_name


def test_check_unknown_customer_is_error_1(base_url, rncb):
    status, xml = call(base_url, QueryType="check", Account="nobody")
    assert (status, xml.tag, xml.findtext("ERROR")) == (200, "CHECKRESPONSE", "1")


def test_pay_credits_once_and_returns_our_payment_id(base_url, rncb):
    customer = CustomerFactory(login="petrov")
    status, xml = pay(base_url, "petrov", "9001")
    assert status == 200 and xml.tag == "PAYRESPONSE"
    assert xml.findtext("ERROR") == "0"
    payment = Payment.objects.get(gateway="rncb", external_id="9001")
    assert xml.findtext("OUT_PAYMENT_ID") == str(payment.pk)
    assert payment.amount == Decimal("300.50")
    assert balance(customer.pk) == Decimal("300.50")


def test_repeated_pay_is_duplicate_10_with_first_payment_id(base_url, rncb):
    customer = CustomerFactory(login="sidorov")
    _, first = pay(base_url, "sidorov", "9002")
    status, second = pay(base_url, "sidorov", "9002")
    assert status == 200
    assert second.findtext("ERROR") == "10"
    assert second.findtext("OUT_PAYMENT_ID") == first.findtext("OUT_PAYMENT_ID")
    assert balance(customer.pk) == Decimal("300.50")


def test_two_simultaneous_identical_pays_credit_once(base_url, rncb):
    customer = CustomerFactory(login="twins")
    results = in_threads(lambda i: pay(base_url, "twins", "9003"), 2)
    errors = sorted(xml.findtext("ERROR") for _, xml in results)
    assert errors == ["0", "10"]
    assert Payment.objects.filter(gateway="rncb", external_id="9003").count() == 1
    assert balance(customer.pk) == Decimal("300.50")


def test_wrong_secret_is_refused_before_money(base_url, rncb):
    customer = CustomerFactory(login="victim")
    bad = {"Authorization": "Basic " + base64.b64encode(b"rncb:guess").decode()}
    status, xml = call(
        base_url,
        headers=bad,
        QueryType="pay",
        Account="victim",
        Payment_id="1",
        Summa="10",
        Exec_date="20260110123000",
    )
    assert status == 401 and xml.findtext("ERROR") == "100"
    status, _ = call(base_url, headers={}, QueryType="check", Account="victim")
    assert status == 401
    assert balance(customer.pk) == Decimal("0.00")


def test_request_from_outside_allowed_networks_is_refused(base_url, rncb):
    rncb.allowed_networks = ["203.0.113.0/24"]
    rncb.save()
    customer = CustomerFactory(login="faraway")
    status, xml = pay(base_url, "faraway", "9004")
    assert status == 403 and xml.findtext("ERROR") == "100"
    assert balance(customer.pk) == Decimal("0.00")


def test_pay_for_unknown_customer_is_error_1(base_url, rncb):
    status, xml = pay(base_url, "ghost", "9005")
    assert (status, xml.findtext("ERROR")) == (200, "1")
    assert not Payment.objects.filter(gateway="rncb").exists()


def test_amount_above_maximum_is_refused(base_url, rncb):
    customer = CustomerFactory(login="rich")
    _, xml = pay(base_url, "rich", "9006", summa="15000.01")
    assert xml.findtext("ERROR") == "100"
    assert "maximum" in (xml.findtext("COMMENTS") or "")
    assert balance(customer.pk) == Decimal("0.00")


@pytest.mark.parametrize(
    "query",
    [
        {
            "QueryType": "pay",
            "Account": "m",
            "Payment_id": "1",
            "Summa": "abc",
            "Exec_date": "20260110123000",
        },
        {
            "QueryType": "pay",
            "Account": "m",
            "Payment_id": "1",
            "Summa": "10.001",
            "Exec_date": "20260110123000",
        },
        {
            "QueryType": "pay",
            "Account": "m",
            "Payment_id": "1",
            "Summa": "10",
            "Exec_date": "yesterday",
        },
        {"QueryType": "pay", "Account": "m", "Summa": "10", "Exec_date": "20260110123000"},
        {"QueryType": "refund"},
        {"QueryType": "balance", "DateFrom": "20260110000000"},
    ],
)
def test_malformed_requests_are_400_and_credit_nothing(base_url, rncb, query):
    CustomerFactory(login="m")
    status, xml = call(base_url, **query)
    assert status == 400 and xml.findtext("ERROR") == "100"
    assert not Payment.objects.filter(gateway="rncb").exists()


def test_balance_lists_payments_of_the_period(base_url, rncb):
    CustomerFactory(login="a1")
    pay(base_url, "a1", "7001", summa="100.00")
    pay(base_url, "a1", "7002", summa="50.25")
    status, xml = call(
        base_url, QueryType="balance", DateFrom="20260101000000", DateTo="20260201000000"
    )
    assert status == 200 and xml.tag == "BALANCERESPONSE"
    assert xml.findtext("FULL_SUMMA") == "150.25"
    assert xml.findtext("NUMBER_OF_PAYMENTS") == "2"
    rows = [row.text or "" for row in xml.iter("PAYMENT_ROW")]
    assert [r.split(";")[0] for r in rows] == ["7001", "7002"]
    assert rows[0].endswith(";a1;100.00;20260110123000")


def test_every_request_is_logged_without_the_secret(base_url, rncb):
    CustomerFactory(login="logged")
    pay(base_url, "logged", "9007")
    call(base_url, headers={}, QueryType="check", Account="logged")
    entries = list(GatewayRequestLog.objects.filter(gateway="rncb").order_by("id"))
    assert [(e.action, e.outcome) for e in entries] == [
        ("pay", "credited"),
        ("check", "bad_credentials"),
    ]
    assert entries[0].payment is not None and entries[0].external_id == "9007"
    assert all(SECRET not in e.request_body + e.response_body for e in entries)


@pytest.mark.parametrize(
    "summa", ["1e9", "1E2", "1_000", "\u0661\u0660\u0660", "1,5", " 7.5 ", "+10", "10."]
)
def test_lenient_amounts_are_refused_before_money(base_url, rncb, summa):
    customer = CustomerFactory(login="lenient")
    status, xml = pay(base_url, "lenient", f"len-{summa}", summa=summa)
    assert (status, xml.findtext("ERROR")) == (400, "100")
    assert balance(customer.pk) == Decimal("0.00")
    assert not Payment.objects.filter(gateway="rncb").exists()


def test_amount_beyond_the_column_is_a_refusal_not_a_server_error(base_url, db):
    configure("rncb", credentials={"secret": SECRET})  # no maximum on the gateway
    customer = CustomerFactory(login="huge")
    status, xml = pay(base_url, "huge", "huge-1", summa="999999999999.99")
    assert (status, xml.findtext("ERROR")) == (400, "100")
    assert "maximum" in (xml.findtext("COMMENTS") or "")
    assert balance(customer.pk) == Decimal("0.00")
