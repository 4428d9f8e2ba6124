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
from tests.factories import CustomerFactory, OneOffServiceFactory

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
    customer = CustomerFactory(balance="1000")

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
    customer = CustomerFactory()

    def work(i: int) -> None:
        record_payment(customer_id=customer.pk, amount="250", gateway="rncb", external_id="same-tx")

    assert _in_threads(work, 8) == []
    assert Payment.objects.filter(gateway="rncb", external_id="same-tx").count() == 1
    assert Account.objects.get(pk=customer.pk).balance == Decimal("250.00")


def test_concurrent_charges_never_overdraw():
    customer = CustomerFactory(balance="100")

    def work(i: int) -> None:
        with contextlib.suppress(InsufficientFunds):
            charge(customer_id=customer.pk, amount=Decimal("30"), idempotency_key=f"c{i}")

    assert _in_threads(work, 10) == []
    assert Account.objects.get(pk=customer.pk).balance == Decimal("10.00")
    assert LedgerEntry.objects.filter(kind="charge").count() == 3


def test_twenty_parallel_one_off_sales_with_one_key_charge_once():
    """Given one form submitted 20 times at once, when the submits race, then
    one charge is made, every submit gets that same entry and none fails."""
    from lastmile.subscriptions.services import sell_one_off

    customer = CustomerFactory(balance="5000")
    service = OneOffServiceFactory(name="Installation", price=Decimal("1500.00"))
    entries: list[int] = []

    def work(i: int) -> None:
        entry = sell_one_off(customer=customer, service=service, key="form-key-1")
        entries.append(entry.pk)

    assert _in_threads(work, 20) == []
    assert len(set(entries)) == 1 and len(entries) == 20
    assert LedgerEntry.objects.filter(idempotency_key="oneoff:form-key-1").count() == 1
    assert Account.objects.get(pk=customer.pk).balance == Decimal("3500.00")
    assert check_ledger()[1] == []


def test_parallel_charges_and_corrections_with_one_key_apply_once():
    customer = CustomerFactory(balance="100")
    from lastmile.finance.models import LedgerEntry
    from lastmile.finance.services import correct_balance
    from tests.factories import UserFactory, grant

    staff = UserFactory(username="corrector")
    grant(staff, LedgerEntry, ["add"])

    def work(i: int) -> None:
        if i % 2:
            charge(customer_id=customer.pk, amount=Decimal("10"), idempotency_key="same-charge")
        else:
            correct_balance(
                customer_id=customer.pk,
                amount="5",
                reason="typo",
                actor=staff,
                idempotency_key="same-fix",
            )

    assert _in_threads(work, 10) == []
    assert Account.objects.get(pk=customer.pk).balance == Decimal("95.00")


def test_a_key_reused_for_another_amount_is_refused_not_a_server_error():
    from lastmile.finance.errors import DuplicateOperationMismatch

    customer, other = CustomerFactory(balance="100"), CustomerFactory(balance="100")
    charge(customer_id=customer.pk, amount=Decimal("10"), idempotency_key="k-1")
    with pytest.raises(DuplicateOperationMismatch):
        charge(customer_id=customer.pk, amount=Decimal("11"), idempotency_key="k-1")
    with pytest.raises(DuplicateOperationMismatch):
        charge(customer_id=other.pk, amount=Decimal("10"), idempotency_key="k-1")
    assert Account.objects.get(pk=other.pk).balance == Decimal("100.00")
