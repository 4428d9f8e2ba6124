"""Buying, changing, terminating and pre-ordering tariffs; the named cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from lastmile.finance.errors import InsufficientFunds
from lastmile.finance.models import Account, LedgerEntry
from lastmile.finance.queries import check_ledger
from lastmile.finance.services import record_payment
from lastmile.subscriptions.billing import run_billing
from lastmile.subscriptions.errors import AlreadySubscribed, PreorderExists, TariffNotAllowed
from lastmile.subscriptions.models import Subscription
from lastmile.subscriptions.services import (
    buy_tariff,
    preorder_tariff,
    preview_purchase,
    terminate_subscription,
)
from tests.factories import CustomerFactory, CustomerGroupFactory, TariffFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def balance(customer) -> Decimal:  # type: ignore[no-untyped-def]
    return Account.objects.get(pk=customer.pk).balance


def test_buying_charges_the_price_and_snapshots_it():
    customer = CustomerFactory(balance="1000")
    tariff = TariffFactory(price="500")
    sub = buy_tariff(customer=customer, tariff=tariff, at=T0)
    assert sub.state == "active" and sub.price == Decimal("500.00")
    assert sub.period_start == T0
    assert balance(customer) == Decimal("500.00")


def test_not_enough_money_changes_nothing():
    customer = CustomerFactory(balance="100")
    with pytest.raises(InsufficientFunds):
        buy_tariff(customer=customer, tariff=TariffFactory(price="500"), at=T0)
    assert not Subscription.objects.exists()
    assert balance(customer) == Decimal("100.00")


def test_group_may_not_buy_a_tariff_of_other_groups():
    gold, basic = (
        CustomerGroupFactory(name="gold"),
        CustomerGroupFactory(name="basic"),
    )
    tariff = TariffFactory(price="1", is_public=False)
    tariff.groups.add(gold)
    customer = CustomerFactory(group=basic, balance="10")
    with pytest.raises(TariffNotAllowed):
        buy_tariff(customer=customer, tariff=tariff, at=T0)
    assert balance(customer) == Decimal("10.00")
    buy_tariff(customer=CustomerFactory(group=gold, balance="10"), tariff=tariff, at=T0)


def test_refund_uses_purchase_price_not_current():
    customer = CustomerFactory(balance="1000")
    cheap = TariffFactory(price="300", period_kind="days", period_days=30)
    buy_tariff(customer=customer, tariff=cheap, at=T0)
    cheap.price = Decimal("900")  # the operator raises the price later
    cheap.save()
    refund = terminate_subscription(
        subscription=Subscription.objects.get(customer=customer), at=T0 + timedelta(days=10)
    )
    assert refund == Decimal("200.00")  # 20 of 30 days unused at 300, not at 900
    assert balance(customer) == Decimal("900.00")


def test_tariff_change_refunds_unused_part_then_charges_new():
    customer = CustomerFactory(balance="1000")
    old = TariffFactory(price="300", period_kind="days", period_days=30)
    new = TariffFactory(price="600", period_kind="days", period_days=30)
    buy_tariff(customer=customer, tariff=old, at=T0)
    preview = preview_purchase(customer=customer, tariff=new, at=T0 + timedelta(days=15))
    assert (preview.refund, preview.charge, preview.balance_after) == (
        Decimal("150.00"),
        Decimal("600.00"),
        Decimal("250.00"),
    )
    assert preview.can_afford
    buy_tariff(customer=customer, tariff=new, at=T0 + timedelta(days=15))
    assert balance(customer) == Decimal("250.00")
    states = dict(Subscription.objects.values_list("tariff__name", "state"))
    assert states == {old.name: "terminated", new.name: "active"}


def test_tariff_change_counts_the_refund_toward_the_new_price():
    customer = CustomerFactory(balance="300")
    old = TariffFactory(price="300", period_kind="days", period_days=30)
    buy_tariff(customer=customer, tariff=old, at=T0)
    buy_tariff(
        customer=customer,
        tariff=TariffFactory(price="290", period_kind="days", period_days=30),
        at=T0,
    )
    assert balance(customer) == Decimal("10.00")


def test_buying_the_active_tariff_again_is_refused():
    customer = CustomerFactory(balance="1000")
    tariff = TariffFactory(price="100")
    buy_tariff(customer=customer, tariff=tariff, at=T0)
    with pytest.raises(AlreadySubscribed):
        buy_tariff(customer=customer, tariff=tariff, at=T0)


def test_expiry_refunds_nothing():
    customer = CustomerFactory(balance="500")
    tariff = TariffFactory(price="500", period_kind="days", period_days=30)
    buy_tariff(customer=customer, tariff=tariff, at=T0)
    run = run_billing(at=T0 + timedelta(days=30))
    assert run.expired == 1
    sub = Subscription.objects.get(customer=customer)
    assert (sub.state, sub.end_reason) == ("expired", "no_funds")
    assert balance(customer) == Decimal("0.00")
    assert not LedgerEntry.objects.filter(kind="refund").exists()


def test_preorder_applies_at_period_end():
    customer = CustomerFactory(balance="1000")
    first = TariffFactory(price="300", period_kind="days", period_days=30)
    second = TariffFactory(price="400", period_kind="days", period_days=30)
    buy_tariff(customer=customer, tariff=first, at=T0)
    pre = preorder_tariff(customer=customer, tariff=second)
    assert balance(customer) == Decimal("700.00")  # nothing charged at ordering
    with pytest.raises(PreorderExists):
        preorder_tariff(customer=customer, tariff=first)
    run = run_billing(at=T0 + timedelta(days=30, minutes=1))
    assert run.preorders_applied == 1
    pre.refresh_from_db()
    assert pre.state == "active"
    assert pre.period_start == T0 + timedelta(days=30)
    assert pre.period_end == T0 + timedelta(days=60)
    assert balance(customer) == Decimal("300.00")
    assert Subscription.objects.get(tariff=first).end_reason == "replaced"


def test_preorder_waits_for_money_then_applies_after_payment():
    customer = CustomerFactory(balance="300")
    first = TariffFactory(price="300", period_kind="days", period_days=30)
    second = TariffFactory(price="400", period_kind="days", period_days=30)
    buy_tariff(customer=customer, tariff=first, at=T0)
    pre = preorder_tariff(customer=customer, tariff=second)
    run_billing(at=T0 + timedelta(days=30))
    pre.refresh_from_db()
    assert pre.state == "preordered"
    assert Subscription.objects.get(tariff=first).end_reason == "preorder_waiting"
    record_payment(customer_id=customer.pk, amount="399.99", external_id="not-enough")
    pre.refresh_from_db()
    assert pre.state == "preordered"
    record_payment(customer_id=customer.pk, amount="0.01", external_id="enough")
    pre.refresh_from_db()
    assert pre.state == "active"
    assert balance(customer) == Decimal("0.00")


def test_payment_renews_a_lapsed_subscription():
    customer = CustomerFactory(balance="300")
    tariff = TariffFactory(price="300", period_kind="days", period_days=30)
    buy_tariff(customer=customer, tariff=tariff, at=T0)
    run_billing(at=T0 + timedelta(days=30))
    assert not Subscription.objects.filter(state="active").exists()
    with time_machine.travel(T0 + timedelta(days=32), tick=False):
        record_payment(customer_id=customer.pk, amount="300", external_id="topup")
    renewed = Subscription.objects.get(state="active")
    assert renewed.period_start == T0 + timedelta(days=32)
    assert balance(customer) == Decimal("0.00")


def test_payment_does_not_renew_when_auto_renew_was_off():
    customer = CustomerFactory(balance="300")
    tariff = TariffFactory(price="300", period_kind="days", period_days=30)
    buy_tariff(customer=customer, tariff=tariff, at=T0, auto_renew=False)
    run_billing(at=T0 + timedelta(days=30))
    record_payment(customer_id=customer.pk, amount="300", external_id="topup")
    assert not Subscription.objects.filter(state="active").exists()
    assert balance(customer) == Decimal("300.00")


def test_terminating_a_preorder_refunds_nothing():
    customer = CustomerFactory(balance="300")
    buy_tariff(customer=customer, tariff=TariffFactory(price="300"), at=T0)
    pre = preorder_tariff(customer=customer, tariff=TariffFactory(price="100"))
    assert terminate_subscription(subscription=pre) == Decimal("0")
    assert balance(customer) == Decimal("0.00")
    assert check_ledger()[1] == []
