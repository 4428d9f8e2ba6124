"""Card gateway: start_payment, the local test provider, signed notifications."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.parse
import urllib.request
import uuid
from decimal import Decimal

import pytest

from lastmile.finance.errors import InvalidAmount
from lastmile.finance.gateways.base import GatewayUnavailable
from lastmile.finance.gateways.card import InvalidReturnUrl, sign, start_payment
from lastmile.finance.gateways.models import CardPaymentIntent
from lastmile.finance.models import Account, Payment
from tests.factories import CustomerFactory
from tests.gateways.conftest import configure, http_request, in_threads

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "card-hmac-secret"


@pytest.fixture
def card(db):  # type: ignore[no-untyped-def]
    return configure(
        "card",
        credentials={"secret": SECRET},
        mode="test",
        min_amount="10.00",
        max_amount="50000.00",
    )


def balance(customer_id: int) -> Decimal:
    account = Account.objects.filter(pk=customer_id).first()
    return account.balance if account else Decimal("0.00")


def notify(
    base_url: str,
    intent: CardPaymentIntent,
    *,
    status: str = "paid",
    secret: str = SECRET,
    kopecks: int | None = None,
):  # type: ignore[no-untyped-def]
    body = json.dumps(
        {
            "intent_id": str(intent.pk),
            "transaction_id": "T-1",
            "status": status,
            "amount": kopecks if kopecks is not None else int(intent.amount * 100),
        }
    ).encode()
    return http_request(
        base_url,
        "POST",
        "/pay/card/callback/",
        body=body,
        headers={"X-Signature": sign(body, secret), "Content-Type": "application/json"},
    )


def browser() -> urllib.request.OpenerDirector:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
    )


def click(base_url: str, page_url: str, action: str) -> tuple[int, str]:
    """Open the hosted page and press a button, as a browser would."""
    opener = browser()
    html = opener.open(base_url + page_url).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "action": action}
    ).encode()
    request = urllib.request.Request(
        base_url + page_url, data=form, headers={"Referer": base_url + page_url}
    )
    try:
        response = opener.open(request)
        return response.status, ""
    except urllib.error.HTTPError as redirect:
        return redirect.code, redirect.headers.get("Location", "")


def test_start_payment_returns_the_test_provider_page(card):
    customer = CustomerFactory(login="web1")
    url = start_payment(customer=customer, amount=Decimal("250.00"), return_url="/cabinet/")
    intent = CardPaymentIntent.objects.get()
    assert url == f"/pay/card/test-provider/{intent.pk}/"
    assert (intent.amount, intent.state, intent.customer_id) == (
        Decimal("250.00"),
        "pending",
        customer.pk,
    )


def test_start_payment_refuses_bad_input(card):
    customer = CustomerFactory(login="web2")
    with pytest.raises(InvalidAmount):
        start_payment(customer=customer, amount=Decimal("9.99"), return_url="/cabinet/")
    with pytest.raises(InvalidReturnUrl):
        start_payment(customer=customer, amount=Decimal("100"), return_url="https://evil.example/")
    card.is_enabled = False
    card.save()
    with pytest.raises(GatewayUnavailable):
        start_payment(customer=customer, amount=Decimal("100"), return_url="/cabinet/")


def test_pay_button_credits_and_returns_to_the_cabinet(base_url, card):
    customer = CustomerFactory(login="web3")
    url = start_payment(customer=customer, amount=Decimal("300.00"), return_url="/cabinet/?paid=1")
    status, location = click(base_url, url, "pay")
    assert (status, location) == (302, "/cabinet/?paid=1")
    intent = CardPaymentIntent.objects.get()
    assert intent.state == "paid" and intent.payment is not None
    assert intent.payment.gateway == "card" and intent.payment.external_id == str(intent.pk)
    assert balance(customer.pk) == Decimal("300.00")


def test_decline_button_credits_nothing(base_url, card):
    customer = CustomerFactory(login="web4")
    url = start_payment(customer=customer, amount=Decimal("300.00"), return_url="/cabinet/")
    assert click(base_url, url, "decline") == (302, "/cabinet/")
    assert CardPaymentIntent.objects.get().state == "declined"
    assert balance(customer.pk) == Decimal("0.00")


def test_repeated_notification_credits_once(base_url, card):
    customer = CustomerFactory(login="web5")
    start_payment(customer=customer, amount=Decimal("120.00"), return_url="/c/")
    intent = CardPaymentIntent.objects.get()
    first, second = notify(base_url, intent), notify(base_url, intent)
    assert (first.status, json.loads(first.body)["status"]) == (200, "credited")
    assert (second.status, json.loads(second.body)["status"]) == (200, "duplicate")
    assert json.loads(second.body)["payment"] == json.loads(first.body)["payment"]
    assert balance(customer.pk) == Decimal("120.00")


def test_simultaneous_notifications_credit_once(base_url, card):
    customer = CustomerFactory(login="web6")
    start_payment(customer=customer, amount=Decimal("120.00"), return_url="/c/")
    intent = CardPaymentIntent.objects.get()
    results = in_threads(lambda i: notify(base_url, intent), 2)
    assert sorted(json.loads(r.body)["status"] for r in results) == ["credited", "duplicate"]
    assert Payment.objects.filter(gateway="card").count() == 1
    assert balance(customer.pk) == Decimal("120.00")


def test_bad_signature_is_refused(base_url, card):
    customer = CustomerFactory(login="web7")
    start_payment(customer=customer, amount=Decimal("120.00"), return_url="/c/")
    reply = notify(base_url, CardPaymentIntent.objects.get(), secret="guess")
    assert reply.status == 403
    assert balance(customer.pk) == Decimal("0.00")


def test_amount_must_match_the_intent(base_url, card):
    customer = CustomerFactory(login="web8")
    start_payment(customer=customer, amount=Decimal("120.00"), return_url="/c/")
    reply = notify(base_url, CardPaymentIntent.objects.get(), kopecks=12001)
    assert reply.status == 400
    assert balance(customer.pk) == Decimal("0.00")


def test_unknown_or_malformed_notifications(base_url, card):
    ghost = CardPaymentIntent(id=uuid.uuid4(), amount=Decimal("1.00"))
    assert notify(base_url, ghost).status == 404
    body = b'{"intent_id": "not-a-uuid"}'
    reply = http_request(
        base_url,
        "POST",
        "/pay/card/callback/",
        body=body,
        headers={"X-Signature": sign(body, SECRET)},
    )
    assert reply.status == 400


def test_test_provider_is_hidden_in_live_mode(base_url, card, settings):
    customer = CustomerFactory(login="web9")
    url = start_payment(customer=customer, amount=Decimal("20.00"), return_url="/c/")
    card.mode = "live"
    card.save()
    settings.LASTMILE.demo, previous = False, settings.LASTMILE.demo
    try:
        assert http_request(base_url, "GET", url).status == 404
    finally:
        settings.LASTMILE.demo = previous


def test_demo_configures_the_card_gateway_in_test_mode(db):
    from lastmile.finance.gateways.demo import load_demo

    load_demo(customers=0, seed=1)
    load_demo(customers=0, seed=1)  # idempotent
    customer = CustomerFactory(login="demo-card")
    url = start_payment(customer=customer, amount=Decimal("100.00"), return_url="/")
    assert url.startswith("/pay/card/test-provider/")


def test_paid_and_declined_at_once_settle_to_one_outcome_fifty_times(base_url, card):
    """Given a pending intent, when the provider's "paid" and "declined" arrive
    at the same moment, then exactly one wins, the other is told so, and the
    ledger agrees with the intent (50 rounds, real threads and transactions)."""
    from lastmile.finance.queries import check_ledger

    customer = CustomerFactory(login="race")
    paid_total = Decimal("0.00")
    for round_number in range(50):
        start_payment(customer=customer, amount=Decimal("11.00"), return_url="/c/")
        intent = CardPaymentIntent.objects.get(state="pending")
        replies = in_threads(
            lambda i, intent=intent: notify(base_url, intent, status=("paid", "declined")[i]),  # type: ignore[misc]
            2,
        )
        answers = {json.loads(r.body).get("status", "refused") for r in replies}
        intent.refresh_from_db()
        payments = Payment.objects.filter(gateway="card", external_id=str(intent.pk))
        if intent.state == "paid":
            paid_total += intent.amount
            assert payments.count() == 1 and intent.payment_id == payments.get().pk
            assert "declined" not in answers, (round_number, answers)
        else:
            assert intent.state == "declined", round_number
            assert not payments.exists(), round_number
            assert "credited" not in answers, (round_number, answers)
        assert all(r.status < 500 for r in replies)
    assert balance(customer.pk) == paid_total
    assert check_ledger()[1] == []
