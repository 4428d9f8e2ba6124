"""AllTime kiosks over real HTTP: MD5 SIGN first, then info / pay / check."""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest

from lastmile.finance.gateways.alltime import signature
from lastmile.finance.gateways.models import GatewayRequestLog
from lastmile.finance.models import Account, Payment
from tests.factories import CustomerFactory
from tests.gateways.conftest import configure, http_request, in_threads

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "alltime-secret"


@pytest.fixture
def alltime(db):  # type: ignore[no-untyped-def]
    return configure(
        "alltime",
        credentials={"secret": SECRET},
        options={"service_id": "77"},
        min_amount="10.00",
        max_amount="15000.00",
    )


def call(base_url: str, *, sign: str | None = None, **params: str) -> tuple[int, ET.Element]:
    params.setdefault("SERVICE_ID", "77")
    params["SIGN"] = sign if sign is not None else signature(params, SECRET)
    reply = http_request(base_url, "GET", "/pay/alltime/", query=params)
    root = ET.fromstring(reply.body)
    assert root.tag == "pay-response"
    return reply.status, root


def check_amount(base_url: str, account: str, pay_id: str, amount: str) -> tuple[int, ET.Element]:
    """The check step (ACT=1 with PAY_ID and PAY_AMOUNT) that fixes the amount."""
    return call(base_url, ACT="1", PAY_ACCOUNT=account, PAY_ID=pay_id, PAY_AMOUNT=amount)


def pay(base_url: str, account: str, pay_id: str, amount: str = "150.00") -> tuple[int, ET.Element]:
    """The kiosk's flow: check the amount for the PAY_ID, then pay it."""
    check_amount(base_url, account, pay_id, amount)
    return call(
        base_url,
        ACT="4",
        PAY_ACCOUNT=account,
        PAY_ID=pay_id,
        PAY_AMOUNT=amount,
        TRADE_POINT="T1",
        RECEIPT_NUM="55",
    )


def balance(customer_id: int) -> Decimal:
    account = Account.objects.filter(pk=customer_id).first()
    return account.balance if account else Decimal("0.00")


def test_info_shows_customer_and_amount_range(base_url, alltime):
    CustomerFactory(login="kiosk1", full_name="Anna", balance="5.00")
    status, xml = call(base_url, ACT="1", PAY_ACCOUNT="kiosk1")
    assert status == 200
    assert xml.findtext("status_code") == "21"
    assert (xml.findtext("balance"), xml.findtext("name")) == ("5.00", "Anna")
    assert (xml.findtext("min_amount"), xml.findtext("max_amount")) == ("10.00", "15000.00")


def test_pay_credits_and_check_reports_it(base_url, alltime):
    customer = CustomerFactory(login="kiosk2")
    status, xml = pay(base_url, "kiosk2", "AT-1")
    assert (status, xml.findtext("status_code"), xml.findtext("amount")) == (200, "22", "150.00")
    assert balance(customer.pk) == Decimal("150.00")
    payment = Payment.objects.get(gateway="alltime", external_id="AT-1")
    assert payment.receipt_number == "55"
    _, check = call(base_url, ACT="7", PAY_ID="AT-1")
    assert check.findtext("status_code") == "11"
    assert check.findtext("transaction/status") == "111"
    assert check.findtext("transaction/amount") == "150.00"


def test_repeated_pay_returns_first_result_and_credits_nothing(base_url, alltime):
    customer = CustomerFactory(login="kiosk3")
    _, first = pay(base_url, "kiosk3", "AT-2")
    _, second = pay(base_url, "kiosk3", "AT-2")
    assert second.findtext("status_code") == "22"
    assert second.findtext("time_stamp") == first.findtext("time_stamp")
    assert balance(customer.pk) == Decimal("150.00")
    outcomes = list(
        GatewayRequestLog.objects.filter(gateway="alltime", action="pay")
        .order_by("id")
        .values_list("outcome", flat=True)
    )
    assert outcomes == ["credited", "duplicate"]


def test_simultaneous_duplicates_credit_once(base_url, alltime):
    customer = CustomerFactory(login="kiosk4")
    results = in_threads(lambda i: pay(base_url, "kiosk4", "AT-3"), 3)
    assert [xml.findtext("status_code") for _, xml in results] == ["22", "22", "22"]
    assert Payment.objects.filter(gateway="alltime", external_id="AT-3").count() == 1
    assert balance(customer.pk) == Decimal("150.00")


def test_bad_signature_is_refused_before_money(base_url, alltime):
    customer = CustomerFactory(login="kiosk5")
    status, xml = call(
        base_url, sign="0" * 32, ACT="4", PAY_ACCOUNT="kiosk5", PAY_ID="AT-4", PAY_AMOUNT="100"
    )
    assert (status, xml.findtext("status_code")) == (403, "-101")
    # The amount is not part of SIGN, but a signature of other values fails too.
    forged = signature(
        {"ACT": "4", "PAY_ACCOUNT": "other", "SERVICE_ID": "77", "PAY_ID": "AT-4"}, SECRET
    )
    status, _ = call(
        base_url, sign=forged, ACT="4", PAY_ACCOUNT="kiosk5", PAY_ID="AT-4", PAY_AMOUNT="100"
    )
    assert status == 403
    assert balance(customer.pk) == Decimal("0.00")
    log = GatewayRequestLog.objects.filter(gateway="alltime").first()
    assert log is not None and "SIGN=%2A%2A%2A" in log.request_body


def test_unknown_customer_is_minus_40(base_url, alltime):
    _, xml = pay(base_url, "nobody", "AT-5")
    assert xml.findtext("status_code") == "-40"
    assert not Payment.objects.filter(gateway="alltime").exists()


@pytest.mark.parametrize("amount", ["9.99", "15000.01"])
def test_amount_outside_min_max_is_minus_42(base_url, alltime, amount):
    customer = CustomerFactory(login=f"kiosk-{amount}")
    _, xml = pay(base_url, customer.login, f"AT-{amount}", amount=amount)
    assert xml.findtext("status_code") == "-42"
    assert balance(customer.pk) == Decimal("0.00")


@pytest.mark.parametrize(
    "params",
    [
        {"ACT": "4", "PAY_ACCOUNT": "kiosk6", "PAY_ID": "AT-6", "PAY_AMOUNT": "12,5,0"},
        {"ACT": "4", "PAY_ACCOUNT": "kiosk6", "PAY_AMOUNT": "100"},
        {"ACT": "9", "PAY_ACCOUNT": "kiosk6"},
        {"ACT": "1", "PAY_ACCOUNT": "kiosk6", "SERVICE_ID": "78"},
    ],
)
def test_malformed_requests_are_minus_101(base_url, alltime, params):
    CustomerFactory(login="kiosk6")
    status, xml = call(base_url, **params)
    assert (status, xml.findtext("status_code")) == (400, "-101")
    assert not Payment.objects.filter(gateway="alltime").exists()


def test_check_of_unknown_payment_is_minus_10(base_url, alltime):
    _, xml = call(base_url, ACT="7", PAY_ID="missing")
    assert xml.findtext("status_code") == "-10"


def test_disabled_gateway_refuses_everything(base_url, alltime):
    alltime.is_enabled = False
    alltime.save()
    status, xml = call(base_url, ACT="1", PAY_ACCOUNT="x")
    assert (status, xml.findtext("status_code")) == (503, "-90")


def test_signature_replayed_with_another_amount_is_refused(base_url, alltime):
    customer = CustomerFactory(login="kiosk7")
    _, checked = check_amount(base_url, "kiosk7", "AT-7", "150.00")
    assert (checked.findtext("status_code"), checked.findtext("amount")) == ("21", "150.00")
    signed = {"ACT": "4", "PAY_ACCOUNT": "kiosk7", "SERVICE_ID": "77", "PAY_ID": "AT-7"}
    sign = signature(signed, SECRET)  # what a proxy or a log saw for the real payment
    status, xml = call(base_url, sign=sign, **signed, PAY_AMOUNT="14999.00")
    assert (status, xml.findtext("status_code")) == (400, "-101")
    assert "checked" in (xml.findtext("description") or "")
    assert balance(customer.pk) == Decimal("0.00")
    # A second check cannot move the fixed amount either.
    status, xml = check_amount(base_url, "kiosk7", "AT-7", "14999.00")
    assert xml.findtext("status_code") == "-101"
    # The real payment, with the checked amount, goes through.
    status, xml = call(base_url, sign=sign, **signed, PAY_AMOUNT="150.00")
    assert (status, xml.findtext("status_code")) == (200, "22")
    assert balance(customer.pk) == Decimal("150.00")


def test_pay_without_a_check_of_its_amount_is_refused(base_url, alltime):
    customer = CustomerFactory(login="kiosk8")
    status, xml = call(base_url, ACT="4", PAY_ACCOUNT="kiosk8", PAY_ID="AT-8", PAY_AMOUNT="100")
    assert (status, xml.findtext("status_code")) == (400, "-101")
    assert balance(customer.pk) == Decimal("0.00")


def test_extended_signature_covers_the_amount(base_url, alltime):
    alltime.options = {"service_id": "77", "amount_binding": "signature"}
    alltime.save()
    customer = CustomerFactory(login="kiosk9")
    params = {
        "ACT": "4",
        "PAY_ACCOUNT": "kiosk9",
        "SERVICE_ID": "77",
        "PAY_ID": "AT-9",
        "PAY_AMOUNT": "150.00",
    }
    plain = signature(params, SECRET)
    status, _ = call(base_url, sign=plain, **params)
    assert status == 403  # the plain SIGN is not enough in this mode
    extended = signature(params, SECRET, with_amount=True)
    status, _ = call(base_url, sign=extended, **{**params, "PAY_AMOUNT": "14999.00"})
    assert status == 403
    assert balance(customer.pk) == Decimal("0.00")
    status, xml = call(base_url, sign=extended, **params)  # no check step needed
    assert (status, xml.findtext("status_code")) == (200, "22")
    assert balance(customer.pk) == Decimal("150.00")
    # Info and status requests keep the plain SIGN.
    status, _ = call(base_url, ACT="7", PAY_ID="AT-9")
    assert status == 200
