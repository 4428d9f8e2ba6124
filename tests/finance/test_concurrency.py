"""Concurrency with real threads and real transactions."""

from __future__ import annotations

import contextlib
import threading
from decimal import Decimal

import pytest
from django.db import connection

from lastmile.finance.errors import InsufficientFunds
from lastmile.finance.models import Account, LedgerEntry, Payment
from lastmile.finance.queries import check_ledger
from lastmile.finance.services import charge, record_payment
from tests.billing_helpers import make_customer

pytestmark = pytest.mark.django_db(transaction=True)


def _in_threads(work, count: int) -> list[BaseException]:  # type: ignore[no-untyped-def]
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:  # collected and asserted by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_fifty_simultaneous_payments_and_charges_end_exact():
    customer = make_customer(balance="1000")

    def work(i: int) -> None:
        if i % 2:
            record_payment(customer_id=customer.pk, amount="10.01", external_id=f"p{i}")
        else:
            charge(customer_id=customer.pk, amount=Decimal("7.77"), idempotency_key=f"c{i}")

    errors = _in_threads(work, 50)
    assert errors == []
    expected = Decimal("1000") + 25 * Decimal("10.01") - 25 * Decimal("7.77")
    assert Account.objects.get(pk=customer.pk).balance == expected
    assert check_ledger()[1] == []


def test_concurrent_duplicate_callbacks_credit_once():
    customer = make_customer()

    def work(i: int) -> None:
        record_payment(customer_id=customer.pk, amount="250", gateway="rncb", external_id="same-tx")

    assert _in_threads(work, 8) == []
    assert Payment.objects.filter(gateway="rncb", external_id="same-tx").count() == 1
    assert Account.objects.get(pk=customer.pk).balance == Decimal("250.00")


def test_concurrent_charges_never_overdraw():
    customer = make_customer(balance="100")

    def work(i: int) -> None:
        with contextlib.suppress(InsufficientFunds):
            charge(customer_id=customer.pk, amount=Decimal("30"), idempotency_key=f"c{i}")

    assert _in_threads(work, 10) == []
    assert Account.objects.get(pk=customer.pk).balance == Decimal("10.00")
    assert LedgerEntry.objects.filter(kind="charge").count() == 3
