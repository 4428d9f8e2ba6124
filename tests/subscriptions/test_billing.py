"""The billing run: set-based, idempotent, concurrent-safe, exact in kopecks."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lastmile.finance.models import Account, LedgerEntry
from lastmile.finance.queries import check_ledger
from lastmile.subscriptions.billing import run_billing
from lastmile.subscriptions.models import Subscription
from lastmile.subscriptions.services import assign_fee, buy_tariff
from tests.factories import CustomerFactory, PeriodicFeeFactory, TariffFactory

T0 = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


def _subscribe(
    n: int,
    *,
    price: str = "100",
    balance: str = "250",
    period_days: int | None = None,
    at: datetime = T0,
):  # type: ignore[no-untyped-def]
    kind: dict[str, Any] = (
        {"period_kind": "days", "period_days": period_days} if period_days else {}
    )
    tariff = TariffFactory(price=price, **kind)
    customers = [CustomerFactory(balance=balance) for _ in range(n)]
    for customer in customers:
        buy_tariff(customer=customer, tariff=tariff, at=at)
    return tariff, customers


@pytest.mark.django_db
def test_month_periods_follow_the_calendar_without_drift():
    _tariff, (customer,) = _subscribe(1, balance="1000")
    sub = Subscription.objects.get(customer=customer)
    ends = []
    for _ in range(3):
        assert sub.period_end is not None
        run_billing(at=sub.period_end)
        sub.refresh_from_db()
        ends.append(sub.period_end)
    # Europe/Moscow: 31 Jan 15:00 local → 28 Feb → 31 Mar → 30 Apr → 31 May (15:00 local = 12:00 UTC)
    assert [e.date().isoformat() for e in ends] == ["2026-03-31", "2026-04-30", "2026-05-31"]
    assert Account.objects.get(pk=customer.pk).balance == Decimal("600.00")


@pytest.mark.django_db
def test_run_is_set_based_bounded_statements():
    # The same mix of outcomes (all renew) at 30 and at 150 due subscriptions.
    _subscribe(30, balance="1000", period_days=30)
    with CaptureQueriesContext(connection) as few:
        run_billing(at=T0 + timedelta(days=31))
    _subscribe(120, balance="1000", period_days=30, at=T0 + timedelta(days=31))
    with CaptureQueriesContext(connection) as many:
        run = run_billing(at=T0 + timedelta(days=62))
    assert run.renewed == 150
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db
def test_rerun_for_the_same_moment_charges_nothing():
    _tariff, _customers = _subscribe(5)
    at = T0 + timedelta(days=31)
    first = run_billing(at=at)
    assert first.renewed == 5
    entries = LedgerEntry.objects.count()
    second = run_billing(at=at)
    assert (second.renewed, second.expired, second.total_charged) == (0, 0, Decimal("0"))
    assert LedgerEntry.objects.count() == entries
    assert check_ledger()[1] == []


@pytest.mark.django_db
def test_renew_when_affordable_expire_otherwise():
    tariff = TariffFactory(price="100")
    rich, poor, no_renew = (CustomerFactory(balance=b) for b in ("300", "150", "300"))
    for c in (rich, poor):
        buy_tariff(customer=c, tariff=tariff, at=T0)
    buy_tariff(customer=no_renew, tariff=tariff, at=T0, auto_renew=False)
    run = run_billing(at=T0 + timedelta(days=31))
    assert (run.renewed, run.expired) == (1, 2)
    states = {c.login: Subscription.objects.get(customer=c).state for c in (rich, poor, no_renew)}
    assert states == {rich.login: "active", poor.login: "expired", no_renew.login: "expired"}
    assert Account.objects.get(pk=poor.pk).balance == Decimal("50.00")


@pytest.mark.django_db
def test_renewal_charges_current_price_and_snapshots_it():
    tariff, (customer,) = _subscribe(1, balance="1000")
    tariff.price = Decimal("120.50")
    tariff.save()
    run_billing(at=T0 + timedelta(days=31))
    sub = Subscription.objects.get(customer=customer)
    assert sub.price == Decimal("120.50")
    assert Account.objects.get(pk=customer.pk).balance == Decimal("779.50")


@pytest.mark.django_db
def test_missed_periods_restart_from_the_run_moment_not_back_charge():
    _tariff, (customer,) = _subscribe(1, balance="1000", period_days=30)
    at = T0 + timedelta(days=95)
    run_billing(at=at)
    sub = Subscription.objects.get(customer=customer)
    assert sub.period_start == at and sub.period_end == at + timedelta(days=30)
    assert Account.objects.get(pk=customer.pk).balance == Decimal("800.00")


@pytest.mark.django_db
def test_credit_limit_lets_renewal_go_below_zero():
    from lastmile.finance.services import set_credit

    _tariff, (customer,) = _subscribe(1, balance="150")
    set_credit(customer_id=customer.pk, limit="60", until=None)
    run_billing(at=T0 + timedelta(days=31))
    assert Subscription.objects.get(customer=customer).state == "active"
    assert Account.objects.get(pk=customer.pk).balance == Decimal("-50.00")


@pytest.mark.django_db
def test_periodic_fees_chain_in_one_run_even_into_debt():
    customer = CustomerFactory(balance="50")
    router, tv = PeriodicFeeFactory(price="30"), PeriodicFeeFactory(price="45.55")
    assign_fee(customer=customer, fee=router, start=T0)
    assign_fee(customer=customer, fee=tv, start=T0)
    run = run_billing(at=T0)
    assert run.fees_charged == 2
    assert Account.objects.get(pk=customer.pk).balance == Decimal("-25.55")
    assert check_ledger()[1] == []
    assert run_billing(at=T0).fees_charged == 0
    assert run_billing(at=T0 + timedelta(days=29)).fees_charged == 2  # 31 Jan → 28 Feb (Moscow)


@pytest.mark.django_db
def test_disabled_customer_is_not_renewed():
    _tariff, (customer,) = _subscribe(1, balance="1000")
    customer.is_active = False
    customer.save()
    run_billing(at=T0 + timedelta(days=31))
    assert Subscription.objects.get(customer=customer).end_reason == "customer_disabled"


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_charge_each_subscription_once():
    _tariff, customers = _subscribe(20, balance="1000")
    at = T0 + timedelta(days=31)
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            run_billing(at=at)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert LedgerEntry.objects.filter(kind="charge", billing_run__isnull=False).count() == 20
    for customer in customers:
        assert Account.objects.get(pk=customer.pk).balance == Decimal("800.00")
    assert check_ledger()[1] == []


@pytest.mark.django_db(transaction=True)
def test_billing_run_while_payments_arrive():
    from lastmile.finance.services import record_payment

    _tariff, customers = _subscribe(15, balance="100")
    at = T0 + timedelta(days=31)
    errors: list[BaseException] = []

    def pay() -> None:
        try:
            for i, c in enumerate(customers):
                record_payment(customer_id=c.pk, amount="5", external_id=f"during-{i}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    payer = threading.Thread(target=pay)
    payer.start()
    run_billing(at=at)
    payer.join()
    assert errors == []
    assert check_ledger()[1] == []


@pytest.mark.django_db
def test_the_runs_ledger_keys_are_the_ones_finance_keys_builds():
    # The SQL of the set-based run and the Python builders must name a movement alike,
    # or a retry through the other path would charge twice.
    from lastmile.finance import keys

    _tariff, (customer,) = _subscribe(1, balance="1000")
    sub = Subscription.objects.get(customer=customer)
    fee = PeriodicFeeFactory(price="10.00")
    assignment = assign_fee(customer=customer, fee=fee, start=T0)
    at = sub.period_end
    assert at is not None
    run_billing(at=at)
    got = set(
        LedgerEntry.objects.filter(account_id=customer.pk, kind="charge").values_list(
            "idempotency_key", flat=True
        )
    )
    assert keys.subscription_start(sub.pk) in got  # the purchase
    assert keys.subscription_renewal(sub.pk, 2, at) in got  # the run's renewal
    assert keys.fee_period(assignment.pk, 1) in got
