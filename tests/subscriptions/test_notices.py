"""Money and subscription events reach the outbox exactly once, and only when committed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from procrastinate.contrib.django.models import ProcrastinateJob

from lastmile.aaa.models import AccessChange
from lastmile.finance.services import record_payment
from lastmile.notifications.models import Outbox
from lastmile.subscriptions.billing import run_billing
from lastmile.subscriptions.followup import after_billing_run, billing_run_notices
from lastmile.subscriptions.notices import warn_ending_and_low_balance
from lastmile.subscriptions.services import buy_tariff
from tests.factories import CustomerFactory, TariffFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def smtp_configured(settings):  # type: ignore[no-untyped-def]
    conf = settings.LASTMILE
    previous = conf.smtp_host
    conf.smtp_host = "127.0.0.1"
    yield
    conf.smtp_host = previous


def _events(customer) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        Outbox.objects.filter(customer=customer).order_by("id").values_list("event", flat=True)
    )


def test_payment_queues_one_message_and_a_repeat_none():
    customer = CustomerFactory(email="a@example.net")
    record_payment(customer_id=customer.pk, amount="100", gateway="rncb", external_id="n1")
    record_payment(customer_id=customer.pk, amount="100", gateway="rncb", external_id="n1")
    assert _events(customer) == ["payment_received"]
    assert "100.00" in Outbox.objects.get(customer=customer).body


def test_rolled_back_payment_queues_nothing():
    customer = CustomerFactory(email="a@example.net")
    with pytest.raises(RuntimeError), transaction.atomic():
        record_payment(customer_id=customer.pk, amount="100", external_id="n2")
        raise RuntimeError("the caller fails after the payment")
    assert _events(customer) == []


def test_tariff_purchase_notifies_and_defers_the_nas_update():
    customer = CustomerFactory(email="a@example.net", balance="1000")
    buy_tariff(customer=customer, tariff=TariffFactory(price="300"), at=T0)
    assert "tariff_changed" in _events(customer)
    [change] = AccessChange.objects.filter(customer=customer)
    assert change.reason == "tariff_changed"
    job = ProcrastinateJob.objects.get(task_name="aaa.apply_access")
    assert job.args == {"change_ids": [change.pk]}


def test_expiry_in_billing_run_notifies_once_through_the_job():
    customer = CustomerFactory(email="a@example.net", balance="300")
    buy_tariff(
        customer=customer,
        tariff=TariffFactory(price="300", period_kind="days", period_days=30),
        at=T0,
    )
    run = run_billing(at=T0 + timedelta(days=30))
    assert ProcrastinateJob.objects.filter(task_name="subscriptions.after_billing_run").count() == 1
    after_billing_run(run_id=run.pk)
    assert AccessChange.objects.filter(customer=customer, reason="expired").count() == 1
    assert (
        ProcrastinateJob.objects.filter(task_name="subscriptions.billing_run_notices").count() == 1
    )
    billing_run_notices(run_id=run.pk)
    billing_run_notices(run_id=run.pk)  # a retried job sends nothing twice
    assert _events(customer).count("subscription_ended") == 1
    assert _events(customer).count("access_blocked") == 1


def test_warnings_for_ending_subscription_and_low_balance():
    customer = CustomerFactory(email="a@example.net", balance="300")
    buy_tariff(
        customer=customer,
        tariff=TariffFactory(price="300", period_kind="days", period_days=30),
        at=T0,
    )
    at = T0 + timedelta(days=28)
    warn_ending_and_low_balance(at)
    warn_ending_and_low_balance(at)
    events = _events(customer)
    assert events.count("subscription_ending") == 1
    assert events.count("balance_low") == 1
    assert (
        Outbox.objects.get(customer=customer, event="balance_low").body.count(str(Decimal("0.00")))
        >= 1
    )
