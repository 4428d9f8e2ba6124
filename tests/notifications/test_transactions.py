"""The outbox is written in the writer's transaction, and two workers never
send one message twice (real commits, real threads, real peers)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from lastmile.notifications import events
from lastmile.notifications.delivery import deliver_due
from lastmile.notifications.models import Outbox
from lastmile.notifications.services import notify
from tests.factories import CustomerFactory, TelegramLinkFactory

pytestmark = pytest.mark.django_db(transaction=True)


class PaymentFailed(Exception):
    pass


def _payment(customer, key):  # type: ignore[no-untyped-def]
    notify(
        event=events.PAYMENT_RECEIVED,
        customer=customer,
        context={"amount": Decimal("250.00"), "balance": Decimal("250.00")},
        dedup_key=key,
    )


def test_rolled_back_payment_sends_nothing(channels):
    smtp, http = channels
    customer = CustomerFactory(reachable=True)
    with pytest.raises(PaymentFailed), transaction.atomic():
        _payment(customer, "rollback-1")
        raise PaymentFailed
    assert not Outbox.objects.exists()
    assert deliver_due() == 0
    assert smtp.messages == [] and http.records == []


def test_committed_payment_sends_one_message_per_channel_with_two_workers(channels):
    smtp, http = channels
    customers = [CustomerFactory(reachable=True) for _ in range(5)]
    for n, customer in enumerate(customers):
        TelegramLinkFactory(customer=customer, chat_id=9000 + n)
        with transaction.atomic():
            _payment(customer, f"commit-{n}")
    assert Outbox.objects.count() == 5 * 4

    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(deliver_due(limit=3))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sum(results) == 20
    assert len(smtp.messages) == 5
    assert sorted(m["To"] for m in smtp.messages) == sorted(c.email for c in customers)
    assert len(http.calls("/sendMessage")) == 5
    assert len(http.calls("/sms")) == 5
    assert len(http.calls("/hook")) == 5
    assert set(Outbox.objects.values_list("state", flat=True)) == {"sent"}
    assert set(Outbox.objects.values_list("attempts", flat=True)) == {1}


def test_commit_kicks_the_worker_job(channels):
    from procrastinate.contrib.django.models import ProcrastinateJob

    with connection.cursor() as cursor:  # earlier tests' commits kicked jobs too
        cursor.execute("TRUNCATE procrastinate_jobs CASCADE")
    customer = CustomerFactory(reachable=True)
    with transaction.atomic():
        _payment(customer, "kick-1")
        assert not ProcrastinateJob.objects.filter(
            task_name="notifications.deliver_outbox"
        ).exists()
    jobs = ProcrastinateJob.objects.filter(task_name="notifications.deliver_outbox", status="todo")
    assert jobs.count() == 1
    # A second commit while the job waits does not pile up jobs (queueing lock).
    with transaction.atomic():
        _payment(customer, "kick-2")
    assert jobs.count() == 1
