"""Property tests: for random sequences of payments, charges, purchases,
pre-orders, tariff changes, terminations and billing runs, the balance is the
sum of the entries, every row chains, and refunds create or lose no money."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lastmile.finance.errors import FinanceError
from lastmile.finance.models import Account, LedgerEntry
from lastmile.finance.queries import check_ledger
from lastmile.finance.services import charge, record_payment
from lastmile.subscriptions.billing import run_billing
from lastmile.subscriptions.errors import SubscriptionError
from lastmile.subscriptions.models import Subscription
from lastmile.subscriptions.periods import prorated_refund
from lastmile.subscriptions.services import buy_tariff, preorder_tariff, terminate_subscription
from tests.factories import CustomerFactory, TariffFactory

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
T0 = datetime(2026, 3, 1, tzinfo=UTC)

operation = st.one_of(
    st.tuples(st.just("pay"), money),
    st.tuples(st.just("charge"), money),
    st.tuples(st.just("buy"), st.integers(0, 2)),
    st.tuples(st.just("preorder"), st.integers(0, 2)),
    st.tuples(st.just("terminate"), st.just(0)),
    st.tuples(st.just("bill"), st.just(0)),
    st.tuples(st.just("wait"), st.integers(1, 40)),
)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(operation, min_size=1, max_size=25))
def test_random_sequences_keep_the_ledger_exact(ops):
    customer = CustomerFactory()
    tariffs = [
        TariffFactory(price=p, period_kind="days", period_days=d)
        for p, d in (("300.00", 30), ("99.99", 7), ("1234.56", 31))
    ]
    now = T0
    for i, (kind, arg) in enumerate(ops):
        try:
            if kind == "pay":
                record_payment(customer_id=customer.pk, amount=arg, external_id=f"h{i}")
            elif kind == "charge":
                charge(
                    customer_id=customer.pk,
                    amount=arg,
                    idempotency_key=f"hc{customer.pk}-{i}",
                    at=now,
                )
            elif kind == "buy":
                buy_tariff(customer=customer, tariff=tariffs[arg], at=now)
            elif kind == "preorder":
                preorder_tariff(customer=customer, tariff=tariffs[arg])
            elif kind == "terminate":
                sub = Subscription.objects.filter(customer=customer, state="active").first()
                if sub:
                    terminate_subscription(subscription=sub, at=now)
            elif kind == "bill":
                run_billing(at=now)
            else:
                now += timedelta(days=arg)
        except (FinanceError, SubscriptionError):
            pass
    account = (
        Account.objects.get(pk=customer.pk)
        if Account.objects.filter(pk=customer.pk).exists()
        else None
    )
    entries = list(LedgerEntry.objects.filter(account_id=customer.pk).order_by("id"))
    if account is None:
        assert entries == []
        return
    assert account.balance == sum((e.amount for e in entries), Decimal("0"))
    previous = Decimal("0")
    for entry in entries:
        assert entry.balance_before == previous
        assert entry.balance_after == entry.balance_before + entry.amount
        previous = entry.balance_after
    # A refund never returns more than was charged for that subscription.
    for sub in Subscription.objects.filter(customer=customer):
        charged = -sum(
            (e.amount for e in entries if e.subscription_id == sub.pk and e.kind == "charge"),
            Decimal(0),
        )
        refunded = sum(
            (e.amount for e in entries if e.subscription_id == sub.pk and e.kind == "refund"),
            Decimal(0),
        )
        assert 0 <= refunded <= charged
    assert check_ledger()[1] == []


@given(
    price=money,
    length_s=st.integers(min_value=60, max_value=90 * 86400),
    used_s=st.integers(min_value=0, max_value=90 * 86400),
)
def test_prorated_refund_is_between_zero_and_the_price(price, length_s, used_s):
    start = T0
    end = T0 + timedelta(seconds=length_s)
    refund = prorated_refund(price, start, end, start + timedelta(seconds=used_s))
    assert Decimal("0") <= refund <= price
    assert refund == refund.quantize(Decimal("0.01"))
    if used_s >= length_s:
        assert refund == 0


@given(price=money, split=st.integers(min_value=1, max_value=29))
def test_refund_plus_used_part_never_exceeds_price(price, split):
    start, end = T0, T0 + timedelta(days=30)
    at = start + timedelta(days=split)
    refund = prorated_refund(price, start, end, at)
    used = (price * Decimal(split) / Decimal(30)).quantize(Decimal("0.01"))
    assert refund + used <= price + Decimal("0.01")
