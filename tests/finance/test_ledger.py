"""The ledger: exact Decimal money, immutable entries, a provable chain."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import ProgrammingError, connection, transaction

from lastmile.finance.errors import (
    DuplicatePaymentMismatch,
    InsufficientFunds,
    InvalidAmount,
    ReasonRequired,
)
from lastmile.finance.models import Account, LedgerEntry, Payment
from lastmile.finance.money import from_minor_units, to_money
from lastmile.finance.queries import check_ledger
from lastmile.finance.services import (
    charge,
    correct_balance,
    record_payment,
    reverse_payment,
    set_credit,
)
from tests.factories import CustomerFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


def test_payment_credits_balance_and_writes_one_entry():
    customer = CustomerFactory()
    result = record_payment(
        customer_id=customer.pk, amount="150.50", external_id="r-1", receipt_number="A-17"
    )
    assert result.created
    account = Account.objects.get(pk=customer.pk)
    assert account.balance == Decimal("150.50")
    entry = LedgerEntry.objects.get(account=account)
    assert (entry.kind, entry.amount, entry.balance_before, entry.balance_after) == (
        "payment",
        Decimal("150.50"),
        Decimal("0.00"),
        Decimal("150.50"),
    )
    assert entry.payment == result.payment


def test_repeated_payment_returns_first_and_credits_nothing():
    customer = CustomerFactory()
    first = record_payment(
        customer_id=customer.pk, amount="100", gateway="rncb", external_id="tx-9"
    )
    again = record_payment(
        customer_id=customer.pk, amount="100", gateway="rncb", external_id="tx-9"
    )
    assert not again.created
    assert again.payment.pk == first.payment.pk
    assert Account.objects.get(pk=customer.pk).balance == Decimal("100.00")


def test_same_external_id_with_other_amount_is_refused():
    customer = CustomerFactory()
    record_payment(customer_id=customer.pk, amount="100", gateway="rncb", external_id="tx-10")
    with pytest.raises(DuplicatePaymentMismatch):
        record_payment(customer_id=customer.pk, amount="999", gateway="rncb", external_id="tx-10")
    assert Account.objects.get(pk=customer.pk).balance == Decimal("100.00")


def test_same_external_id_on_other_gateway_is_a_different_payment():
    customer = CustomerFactory()
    record_payment(customer_id=customer.pk, amount="10", gateway="rncb", external_id="77")
    record_payment(customer_id=customer.pk, amount="10", gateway="alltime", external_id="77")
    assert Account.objects.get(pk=customer.pk).balance == Decimal("20.00")


@pytest.mark.parametrize("bad", [0.1, "abc", "1.001", "NaN", "-Infinity", True])
def test_bad_amounts_are_refused_with_a_message(bad):
    customer = CustomerFactory()
    with pytest.raises(InvalidAmount):
        record_payment(customer_id=customer.pk, amount=bad)
    assert not LedgerEntry.objects.exists()


def test_negative_or_zero_payment_is_refused():
    customer = CustomerFactory()
    for amount in ("0", "-5"):
        with pytest.raises(InvalidAmount):
            record_payment(customer_id=customer.pk, amount=amount)


def test_minor_units_convert_explicitly():
    assert from_minor_units(12345) == Decimal("123.45")
    assert from_minor_units("1") == Decimal("0.01")
    assert to_money("10.50") == Decimal("10.50")


def test_charge_needs_funds_unless_debt_allowed():
    customer = CustomerFactory(balance="10")
    with pytest.raises(InsufficientFunds) as err:
        charge(customer_id=customer.pk, amount=Decimal("20"), idempotency_key="c1")
    assert "Top up" in str(err.value)
    charge(customer_id=customer.pk, amount=Decimal("20"), idempotency_key="c2", allow_debt=True)
    assert Account.objects.get(pk=customer.pk).balance == Decimal("-10.00")


def test_credit_limit_and_its_expiry(settings):
    from datetime import timedelta

    from django.utils import timezone

    customer = CustomerFactory(balance="10")
    set_credit(customer_id=customer.pk, limit="50", until=timezone.now() + timedelta(days=3))
    charge(customer_id=customer.pk, amount=Decimal("40"), idempotency_key="k1")
    with pytest.raises(InsufficientFunds):
        charge(
            customer_id=customer.pk,
            amount=Decimal("10"),
            idempotency_key="k2",
            at=timezone.now() + timedelta(days=4),
        )


def test_correction_requires_reason_and_records_actor():
    customer = CustomerFactory()
    staff = UserFactory(username="accountant")
    grant(staff, LedgerEntry, ["add"])  # the service checks it (issue 15)
    with pytest.raises(ReasonRequired):
        correct_balance(customer_id=customer.pk, amount="5", reason="  ", actor=staff)
    entry = correct_balance(
        customer_id=customer.pk, amount="-5", reason="double charge on 01.11", actor=staff
    )
    assert entry.actor == staff
    assert entry.kind == "correction"


def test_ledger_rows_cannot_be_updated_or_deleted():
    customer = CustomerFactory(balance="10")
    entry = LedgerEntry.objects.get(account_id=customer.pk)
    with pytest.raises(ProgrammingError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1000"))
    with pytest.raises(ProgrammingError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(ProgrammingError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE finance_ledgerentry SET amount = 1 WHERE id = %s", [entry.pk])


def test_database_refuses_entry_whose_after_is_not_before_plus_amount():
    from django.db import IntegrityError

    customer = CustomerFactory(balance="10")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            account_id=customer.pk,
            kind="charge",
            amount=Decimal("-1"),
            balance_before=Decimal("10"),
            balance_after=Decimal("10"),
            idempotency_key="bad",
        )


def test_reversal_takes_the_payment_back_once():
    customer = CustomerFactory()
    payment = record_payment(
        customer_id=customer.pk, amount="70", gateway="payme", external_id="p1"
    ).payment
    reverse_payment(payment=payment, reason="cancelled by bank")
    reverse_payment(payment=Payment.objects.get(pk=payment.pk), reason="cancelled by bank")
    assert Account.objects.get(pk=customer.pk).balance == Decimal("0.00")
    assert Payment.objects.get(pk=payment.pk).state == "reversed"
    assert LedgerEntry.objects.filter(kind="reversal").count() == 1


def test_check_ledger_passes_on_consistent_data_and_finds_tampering():
    a = CustomerFactory(balance="100")
    CustomerFactory(balance="50")
    charge(customer_id=a.pk, amount=Decimal("30"), idempotency_key="x")
    accounts, problems = check_ledger()
    assert accounts == 2 and problems == []
    # Tamper with the balance behind the ledger's back (the trigger guards
    # entries, not the account row).
    Account.objects.filter(pk=a.pk).update(balance=Decimal("1000"))
    _accounts, problems = check_ledger()
    assert [p.customer_id for p in problems] == [a.pk, a.pk]


def test_check_ledger_command_exit_status():
    import io

    CustomerFactory(balance="5")
    out = io.StringIO()
    call_command("check_ledger", stdout=out)
    assert "OK" in out.getvalue()
    Account.objects.update(balance=Decimal("6"))
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_ledger", stdout=io.StringIO(), stderr=io.StringIO())
    assert exit_info.value.code == 1
