"""Use cases of the ledger.  Every balance change in lastmile goes through here.

Rules: the account row is locked (``locks.lock_account``) before anything
else in the transaction; the balance column and its ledger entry change in
the same transaction; every entry carries a unique idempotency key.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from lastmile.accounts.models import actor_user
from lastmile.core.actor import Actor, actor_label
from lastmile.core.permissions import require_object_permission
from lastmile.finance import hooks, keys
from lastmile.finance.errors import (
    AmountTooLarge,
    DuplicateOperationMismatch,
    DuplicatePaymentMismatch,
    InsufficientFunds,
    InvalidAmount,
    PaymentNotReversible,
    ReasonRequired,
)
from lastmile.finance.locks import lock_account
from lastmile.finance.models import ZERO, Account, EntryKind, LedgerEntry, Payment
from lastmile.finance.money import COLUMN_MAX, to_money, within_maximum


def available_funds(account: Account, at: datetime | None = None) -> Decimal:
    """Balance plus the credit limit while the credit is in force."""
    at = at or timezone.now()
    credit = account.credit_limit
    if account.credit_until is not None and account.credit_until <= at:
        credit = ZERO
    return account.balance + credit


def post_entry(
    *,
    account: Account,
    amount: Decimal,
    kind: str,
    idempotency_key: str,
    actor: Actor | None = None,
    actor_label: str = "",
    reason: str = "",
    **cause: Any,
) -> LedgerEntry:
    """Append one entry and move the balance.  ``account`` must be locked by the
    caller in this transaction (see ``locks.lock_account``)."""
    amount = to_money(amount)
    if amount == 0:
        raise InvalidAmount("A ledger entry cannot be zero.")
    before = account.balance
    if abs(before + amount) > COLUMN_MAX:
        raise AmountTooLarge(
            f"The balance would be {before + amount}, beyond what lastmile can hold "
            f"({COLUMN_MAX}); nothing was changed.",
            maximum=COLUMN_MAX,
        )
    account.balance = before + amount
    Account.objects.filter(pk=account.pk).update(balance=account.balance)
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(
                account=account,
                kind=kind,
                amount=amount,
                balance_before=before,
                balance_after=account.balance,
                idempotency_key=idempotency_key,
                actor=actor_user(actor),
                actor_label=actor_label or _label(actor),
                reason=reason,
                **cause,
            )
    except IntegrityError:
        # The key was taken meanwhile under another account's lock.
        if not LedgerEntry.objects.filter(idempotency_key=idempotency_key).exists():
            raise
        raise DuplicateOperationMismatch(_KEY_REUSED) from None


_KEY_REUSED = (
    "This operation was already recorded with another customer or amount; nothing changed."
)


def repeat_of(key: str, *, account_id: int, amount: Decimal) -> LedgerEntry | None:
    """The entry an earlier call with idempotency ``key`` made, or None.

    Call it after the account lock, so a concurrent call with the same key
    has committed (or not begun): lock first, then check the key.  The same
    key for another account or amount raises ``DuplicateOperationMismatch``.
    """
    entry = LedgerEntry.objects.filter(idempotency_key=key).first()
    if entry is None:
        return None
    if entry.account_id != account_id or entry.amount != amount:
        raise DuplicateOperationMismatch(_KEY_REUSED)
    return entry


def _label(actor: Actor | None) -> str:
    return actor_label(actor)


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    created: bool


def record_payment(
    *,
    customer_id: int,
    amount: Decimal | str | int,
    gateway: str = "cash",
    external_id: str | None = None,
    receipt_number: str = "",
    comment: str = "",
    actor: Actor | None = None,
    actor_label: str = "",
    paid_at: datetime | None = None,
) -> PaymentResult:
    """Credit a payment exactly once per (gateway, external id).

    A repeat with the same data returns the first payment (``created=False``)
    and credits nothing; a repeat with different data is refused.  After the
    credit, the payment hooks run in the same transaction (renew a lapsed
    subscription, apply a waiting pre-order, queue a notification).
    """
    amount = within_maximum(to_money(amount))
    if amount <= 0:
        raise InvalidAmount("A payment must be positive.")
    external_id = (external_id or uuid.uuid4().hex).strip()
    if not external_id or len(external_id) > 100:
        raise InvalidAmount("The payment needs an external id of at most 100 characters.")
    with transaction.atomic():
        account = lock_account(customer_id)
        # Lock first, then check the key: a concurrent duplicate for this
        # customer has committed by now.
        existing = _existing_payment(gateway, external_id, customer_id, amount)
        if existing is not None:
            return PaymentResult(existing, False)
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    account=account,
                    amount=amount,
                    gateway=gateway,
                    external_id=external_id,
                    receipt_number=receipt_number,
                    comment=comment,
                    actor=actor_user(actor),
                    paid_at=paid_at or timezone.now(),
                )
            require_object_permission(actor, payment, "add")
        except IntegrityError:
            # Same external id for another customer, committed meanwhile.
            existing = _existing_payment(gateway, external_id, customer_id, amount)
            if existing is None:  # pragma: no cover - constraint guarantees a row
                raise
            return PaymentResult(existing, False)
        post_entry(
            account=account,
            amount=amount,
            kind=EntryKind.PAYMENT,
            idempotency_key=keys.payment(payment.pk),
            actor=actor,
            actor_label=actor_label or (f"gateway:{gateway}" if gateway != "cash" else ""),
            payment=payment,
        )
        hooks.run_payment_hooks(payment=payment, account=account)
        return PaymentResult(payment, True)


def _existing_payment(
    gateway: str, external_id: str, customer_id: int, amount: Decimal
) -> Payment | None:
    payment = Payment.objects.filter(gateway=gateway, external_id=external_id).first()
    if payment is None:
        return None
    if payment.account_id != customer_id or payment.amount != amount:
        raise DuplicatePaymentMismatch(
            f"Payment {gateway}:{external_id} was already recorded with a different "
            "customer or amount; nothing was credited."
        )
    return payment


def charge(
    *,
    customer_id: int,
    amount: Decimal,
    idempotency_key: str,
    reason: str = "",
    actor: Actor | None = None,
    actor_label: str = "",
    allow_debt: bool = False,
    at: datetime | None = None,
    **cause: Any,
) -> LedgerEntry:
    """Debit the account; refused when balance plus credit does not cover it.
    Idempotent per key: a repeat returns the first entry (checked under the lock)."""
    amount = to_money(amount)
    if amount <= 0:
        raise InvalidAmount("A charge must be positive.")
    with transaction.atomic():
        account = lock_account(customer_id)
        done = repeat_of(idempotency_key, account_id=account.pk, amount=-amount)
        if done is not None:
            return done
        if not allow_debt:
            available = available_funds(account, at)
            if available < amount:
                raise InsufficientFunds(needed=amount, available=available)
        return post_entry(
            account=account,
            amount=-amount,
            kind=EntryKind.CHARGE,
            idempotency_key=idempotency_key,
            reason=reason,
            actor=actor,
            actor_label=actor_label,
            **cause,
        )


def correct_balance(
    *,
    customer_id: int,
    amount: Decimal | str,
    reason: str,
    actor: Actor | None,
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """A manual correction by a permitted staff member; the reason is required.
    With an ``idempotency_key`` (the form's), a resubmission returns the first entry."""
    amount = within_maximum(to_money(amount))
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("A correction needs a reason (what it fixes, and on whose request).")
    if amount == 0:
        raise InvalidAmount("A correction of zero changes nothing.")
    key = keys.correction(idempotency_key or uuid.uuid4().hex)
    with transaction.atomic():
        account = lock_account(customer_id)
        done = repeat_of(key, account_id=account.pk, amount=amount)
        if done is not None:
            return done
        entry = post_entry(
            account=account,
            amount=amount,
            kind=EntryKind.CORRECTION,
            idempotency_key=key,
            reason=reason,
            actor=actor,
        )
        require_object_permission(actor, entry, "add")
        return entry


def set_credit(
    *, customer_id: int, limit: Decimal | str, until: datetime | None, actor: Actor | None = None
) -> Account:
    """Set how far below zero the balance may go, optionally until a moment
    (a promised payment)."""
    limit = within_maximum(to_money(limit, field="credit limit"), field="credit limit")
    if limit < 0:
        raise InvalidAmount("The credit limit cannot be negative.")
    with transaction.atomic():
        account = lock_account(customer_id)
        require_object_permission(actor, account, "change")
        account.credit_limit = limit
        account.credit_until = until
        account.save(update_fields=["credit_limit", "credit_until", "updated_at"])
        return account


def reverse_payment(
    *, payment: Payment, reason: str, actor: Actor | None = None, actor_label: str = ""
) -> LedgerEntry:
    """Take a payment back (bank cancellation): a reversing entry, never a delete.
    Idempotent: reversing twice returns the first reversal."""
    with transaction.atomic():
        account = lock_account(payment.account_id)
        require_object_permission(actor, payment, "reverse")
        done = LedgerEntry.objects.filter(idempotency_key=keys.reversal(payment.pk)).first()
        if done is not None:
            return done
        flipped = Payment.objects.filter(pk=payment.pk, state=Payment.State.COMPLETED).update(
            state=Payment.State.REVERSED, reversed_at=timezone.now()
        )
        if flipped != 1:
            raise PaymentNotReversible("This payment is not in a state that can be reversed.")
        return post_entry(
            account=account,
            amount=-payment.amount,
            kind=EntryKind.REVERSAL,
            idempotency_key=keys.reversal(payment.pk),
            reason=reason or "payment reversed",
            actor=actor,
            actor_label=actor_label,
            payment=payment,
        )
