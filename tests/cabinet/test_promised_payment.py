"""Promised payment: the rules, and the renewal it unlocks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from lastmile.finance.errors import PromisedPaymentRefused
from lastmile.finance.models import Account
from lastmile.finance.services import record_payment, set_credit
from lastmile.subscriptions.models import Subscription
from lastmile.subscriptions.promised import take_promised_payment
from lastmile.subscriptions.services import buy_tariff
from tests.cabinet.conftest import bearer
from tests.factories import CustomerFactory, TariffFactory

pytestmark = pytest.mark.django_db


def _lapsed(balance: str = "0.00", price: str = "500.00"):
    """A customer whose auto-renew subscription lapsed for lack of money."""
    customer = CustomerFactory(balance=price)
    tariff = TariffFactory(price=price)
    subscription = buy_tariff(customer=customer, tariff=tariff)
    Subscription.objects.filter(pk=subscription.pk).update(
        state="expired", ended_at=timezone.now(), end_reason="no_funds"
    )
    if Decimal(balance):
        record_payment(customer_id=customer.pk, amount=Decimal(balance))
    return customer, tariff


def test_promised_payment_renews_a_lapsed_subscription_at_once():
    customer, tariff = _lapsed(balance="250.00")
    account = take_promised_payment(customer_id=customer.pk)
    assert account.credit_limit == Decimal("300.00")
    assert account.credit_until is not None
    assert timedelta(days=2, hours=23) < account.credit_until - timezone.now() <= timedelta(days=3)
    assert account.balance == Decimal("-250.00")
    renewed = Subscription.objects.get(customer=customer, state="active")
    assert renewed.tariff == tariff


def test_refused_when_the_balance_covers_the_next_charge():
    customer = CustomerFactory(balance="1000.00")
    buy_tariff(customer=customer, tariff=TariffFactory(price="300.00"))
    with pytest.raises(PromisedPaymentRefused, match="already covers"):
        take_promised_payment(customer_id=customer.pk)


def test_refused_without_a_tariff_to_continue():
    customer = CustomerFactory()
    with pytest.raises(PromisedPaymentRefused, match="no tariff to renew"):
        take_promised_payment(customer_id=customer.pk)


def test_refused_when_the_amount_would_not_help():
    customer, _tariff = _lapsed(price="900.00")
    with pytest.raises(PromisedPaymentRefused, match="would not cover"):
        take_promised_payment(customer_id=customer.pk)


def test_refused_for_an_inactive_customer():
    customer, _tariff = _lapsed()
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    with pytest.raises(PromisedPaymentRefused, match="not active"):
        take_promised_payment(customer_id=customer.pk)


def test_refused_when_disabled(settings):
    customer, _tariff = _lapsed()
    settings.LASTMILE.promised_payment_enabled = False
    try:
        with pytest.raises(PromisedPaymentRefused, match="not offered"):
            take_promised_payment(customer_id=customer.pk)
    finally:
        settings.LASTMILE.promised_payment_enabled = True


def test_refused_with_a_permanent_credit_limit():
    customer, _tariff = _lapsed()
    set_credit(customer_id=customer.pk, limit=Decimal("100.00"), until=None)
    with pytest.raises(PromisedPaymentRefused, match="permanent credit"):
        take_promised_payment(customer_id=customer.pk)


def test_once_in_thirty_days():
    customer, _tariff = _lapsed(balance="250.00")
    take_promised_payment(customer_id=customer.pk)
    later = timezone.now() + timedelta(days=5)
    # The promised period is over and the tariff lapsed again.
    Subscription.objects.filter(customer=customer, state="active").update(
        state="expired", ended_at=later, end_reason="no_funds"
    )
    with pytest.raises(PromisedPaymentRefused, match="once in 30 days"):
        take_promised_payment(customer_id=customer.pk, at=later)
    # The credit was used up and paid back; a month later it may be taken again.
    set_credit(customer_id=customer.pk, limit=Decimal("0.00"), until=None)
    record_payment(customer_id=customer.pk, amount=Decimal("500.00"))
    account = take_promised_payment(customer_id=customer.pk, at=timezone.now() + timedelta(days=31))
    assert account.credit_limit == Decimal("300.00")


def test_cabinet_button_and_api(subscriber):
    Account.objects.filter(pk=subscriber.pk)  # account exists from the seed payment
    buy_tariff(customer=subscriber, tariff=TariffFactory(price="900.00"))
    # balance is now 100.00; the renewal needs 900 and 300 do not cover it:
    client = Client(headers=bearer(subscriber))
    r = client.post("/api/v1/me/promised-payment")
    assert r.status_code == 409
    assert "would not cover" in r.json()["detail"]
    Subscription.objects.filter(customer=subscriber).update(price="350.00")
    from lastmile.subscriptions.models import Tariff

    Tariff.objects.filter(subscriptions__customer=subscriber).update(price="350.00")
    r = client.post("/api/v1/me/promised-payment")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["credit_limit"] == "300.00"
    assert body["available"] == "400.00"
    assert body["is_promised_payment"] is True
