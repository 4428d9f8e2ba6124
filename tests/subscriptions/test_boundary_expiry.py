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
from lastmile.finance.services import record_payment
from lastmile.subscriptions import billing, jobs
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


@pytest.mark.django_db
def test_the_unpaid_are_ended_share_by_share_on_one_run(monkeypatch):  # type: ignore[no-untyped-def]
    """Each share commits on its own (its NAS moves start then); one run, one notices job."""
    tariff = TariffFactory(price="100")
    poor = [CustomerFactory(balance="100") for _ in range(5)]  # 0 after buying
    rich = CustomerFactory(balance="300")
    for c in (*poor, rich):
        buy_tariff(customer=c, tariff=tariff, at=T0)
    monkeypatch.setattr(billing, "EXPIRE_SHARE", 2)
    apply_jobs = len(_jobs("aaa.apply_access"))

    run = expire_unpaid(at=AT)

    assert run is not None and run.expired == 5
    assert BillingRun.objects.count() == 1
    assert sorted(
        Subscription.objects.filter(billing_run=run).values_list("customer_id", flat=True)
    ) == sorted(c.pk for c in poor)
    assert _expiry_requests() == sorted(c.pk for c in poor)
    assert len(_jobs("aaa.apply_access")) == apply_jobs + 3  # one per committed share
    assert len(_jobs("subscriptions.billing_run_notices")) == 1
    assert Subscription.objects.get(customer=rich).state == "active"


@pytest.mark.django_db
def test_a_candidate_paid_before_its_share_is_decided_is_renewed_not_ended(monkeypatch):  # type: ignore[no-untyped-def]
    """The candidates are read without locks; each share decides again after locking
    its accounts, so a payment that lands in between renews instead of a NAS move."""
    tariff = TariffFactory(price="100")
    first, second = CustomerFactory(balance="100"), CustomerFactory(balance="100")
    for c in (first, second):
        buy_tariff(customer=c, tariff=tariff, at=T0)
    monkeypatch.setattr(billing, "EXPIRE_SHARE", 1)
    decide = billing._expire_share

    def pay_before_the_second_share(ids, params, run):  # type: ignore[no-untyped-def]
        if ids == [second.pk]:
            record_payment(customer_id=second.pk, amount="200", external_id="just-in-time")
        return decide(ids, params, run)

    monkeypatch.setattr(billing, "_expire_share", pay_before_the_second_share)

    run = expire_unpaid(at=AT)

    assert run is not None and run.expired == 1
    assert _expiry_requests() == [first.pk]
    assert Subscription.objects.get(customer=second).state == "active"
    assert run_billing(at=AT).renewed == 1
    assert Subscription.objects.get(customer=second).period_end > AT  # type: ignore[operator]
    assert _expiry_requests() == [first.pk]  # no move for the one who paid


@pytest.mark.django_db
def test_the_boundary_job_starts_early_and_waits_for_its_second(monkeypatch):  # type: ignore[no-untyped-def]
    """Scheduled ``EARLY`` before the boundary (the worker polls), it runs at the boundary."""
    at = (timezone.now() + timedelta(seconds=1)).replace(microsecond=0) + timedelta(seconds=1)
    seen: list[datetime] = []
    monkeypatch.setattr(jobs, "_run_if_due", lambda: seen.append(timezone.now()))
    jobs.billing_at(at=at.isoformat())
    assert seen and seen[0] >= at
    customer = CustomerFactory(balance="10")
    buy_tariff(customer=customer, tariff=TariffFactory(price="10"), at=timezone.now())
    Subscription.objects.update(period_end=at + timedelta(seconds=30))
    jobs.schedule_boundary_runs(timezone.now())
    (job,) = _jobs("subscriptions.billing_at")
    assert job.scheduled_at == at + timedelta(seconds=30) - jobs.EARLY
