"""The boundary's first step: the unpaid ends and their NAS moves commit
before the renewals, and nothing that renews is touched by it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from lastmile.aaa.models import AccessChange
from lastmile.finance.models import Account, LedgerEntry
from lastmile.subscriptions import jobs
from lastmile.subscriptions.billing import expire_unpaid, run_billing
from lastmile.subscriptions.models import BillingRun, Subscription
from lastmile.subscriptions.services import buy_tariff, preorder_tariff
from tests.factories import CustomerFactory, TariffFactory

T0 = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
AT = T0 + timedelta(days=31)


def _customers(at: datetime = T0):  # type: ignore[no-untyped-def]
    tariff = TariffFactory(price="100")
    rich, poor, no_renew = (CustomerFactory(balance=b) for b in ("300", "150", "300"))
    for c in (rich, poor):
        buy_tariff(customer=c, tariff=tariff, at=at)
    buy_tariff(customer=no_renew, tariff=tariff, at=at, auto_renew=False)
    return rich, poor, no_renew


def _jobs(task: str) -> list[ProcrastinateJob]:
    return list(ProcrastinateJob.objects.filter(task_name=task))


def _expiry_requests() -> list[int]:
    """Customers with an access change for an expiry (purchases request their own)."""
    return sorted(
        AccessChange.objects.filter(reason="expired").values_list("customer_id", flat=True)
    )


@pytest.mark.django_db
def test_the_unpaid_are_ended_and_their_moves_requested_before_any_renewal():
    rich, poor, no_renew = _customers()
    rich_sub = Subscription.objects.get(customer=rich)
    rich_end = rich_sub.period_end
    entries = LedgerEntry.objects.count()
    apply_jobs = len(_jobs("aaa.apply_access"))

    run = expire_unpaid(at=AT)

    assert run is not None and (run.expired, run.renewed) == (2, 0)
    states = {c.pk: Subscription.objects.get(customer=c).state for c in (rich, poor, no_renew)}
    assert states == {rich.pk: "active", poor.pk: "expired", no_renew.pk: "expired"}
    reasons = dict(
        Subscription.objects.filter(customer__in=[poor, no_renew]).values_list(
            "customer_id", "end_reason"
        )
    )
    assert reasons == {poor.pk: "no_funds", no_renew.pk: "not_renewed"}
    # The renewable one is untouched: same period, no charge, no NAS request.
    rich_sub.refresh_from_db()
    assert rich_sub.period_end == rich_end and rich_sub.billing_run_id is None
    assert LedgerEntry.objects.count() == entries
    assert _expiry_requests() == sorted([poor.pk, no_renew.pk])
    assert len(_jobs("aaa.apply_access")) == apply_jobs + 1
    assert len(_jobs("subscriptions.billing_run_notices")) == 1


@pytest.mark.django_db
def test_the_run_after_it_renews_the_rest_and_requests_no_second_move():
    rich, poor, _no_renew = _customers()
    expire_unpaid(at=AT)
    run = run_billing(at=AT)
    assert (run.renewed, run.expired) == (1, 0)
    renewed_end = Subscription.objects.get(customer=rich).period_end
    assert renewed_end is not None and renewed_end > AT
    assert Account.objects.get(pk=rich.pk).balance == Decimal("100.00")
    assert Account.objects.get(pk=poor.pk).balance == Decimal("50.00")  # nothing charged
    assert len(_expiry_requests()) == 2  # the run ended nothing more
    assert not AccessChange.objects.filter(customer=rich, reason="expired").exists()


@pytest.mark.django_db
def test_nothing_to_end_leaves_no_run_and_no_request():
    tariff = TariffFactory(price="100")
    customer = CustomerFactory(balance="300")
    buy_tariff(customer=customer, tariff=tariff, at=T0)
    assert expire_unpaid(at=AT) is None
    assert not BillingRun.objects.exists()
    assert not _expiry_requests()
    assert Subscription.objects.get(customer=customer).state == "active"


@pytest.mark.django_db
def test_a_preorder_that_can_start_is_left_to_the_run():
    cheap, dear = TariffFactory(price="100"), TariffFactory(price="150")
    customer = CustomerFactory(balance="300")
    buy_tariff(customer=customer, tariff=cheap, at=T0)
    preorder_tariff(customer=customer, tariff=dear)
    assert expire_unpaid(at=AT) is None
    run = run_billing(at=AT)
    assert run.preorders_applied == 1


@pytest.mark.django_db
def test_the_boundary_job_ends_the_unpaid_first_then_renews():
    now = timezone.now()
    rich, poor, no_renew = _customers(at=now - timedelta(days=40))
    Subscription.objects.update(period_end=now - timedelta(seconds=1))

    jobs.billing_at(at=now.isoformat())

    runs = list(BillingRun.objects.order_by("pk"))
    assert [(r.expired, r.renewed) for r in runs] == [(2, 0), (0, 1)]
    assert Subscription.objects.get(customer=rich).state == "active"
    assert _expiry_requests() == sorted([poor.pk, no_renew.pk])
    # The run's follow-up would find nothing it ended: no follow-up at all.
    assert not _jobs("subscriptions.after_billing_run")
