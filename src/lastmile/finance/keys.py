"""Every idempotency key of the ledger, built in one place.

A key names one money movement for good: the unique ``idempotency_key`` column of
``finance_ledgerentry`` refuses a second row with the same key, so a retried
request, a re-run billing job or a duplicated gateway callback cannot move money
twice. Any code that writes (or looks for) a ledger row builds its key here, in
Python or, for the set-based billing run, as an SQL expression: the two are
written next to each other so they cannot drift.

Versioning: ``KEY_VERSION`` 1 is the set of formats below, as they have been
stored since the first release (no prefix). A change of format must keep
recognising the old keys, or a movement made before the upgrade could be repeated
after it: bump ``KEY_VERSION``, give new keys a ``v2:`` prefix, and make the
look-ups (``finance.services.repeat_of``) try both forms.

Also here: the ``external_id`` of payments made at the cashier's desk, which
plays the same role for ``finance_payment`` (unique per gateway).
"""

from __future__ import annotations

from datetime import datetime

KEY_VERSION = 1

#: Longest key a caller may hand in (the column holds 100; prefixes take the rest).
MAX_CALLER_KEY = 90


def payment(payment_id: int) -> str:
    """The credit of a payment."""
    return f"payment:{payment_id}"


def reversal(payment_id: int) -> str:
    """The debit that reverses a payment."""
    return f"reversal:{payment_id}"


def correction(token: str) -> str:
    """A manual correction; ``token`` is the form's or the API caller's key."""
    return f"correction:{token}"


def one_off(token: str) -> str:
    """A one-off service sold; ``token`` is the form's or the API caller's key."""
    return f"oneoff:{token}"


def subscription_start(subscription_id: int) -> str:
    """The charge for the first period of a subscription (a purchase, or a
    pre-order switched to by the billing run)."""
    return f"subscription:{subscription_id}:period:1"


def subscription_renewal(subscription_id: int, period: int, at: datetime) -> str:
    """The charge for period ``period`` of a renewal made by the billing run at ``at``."""
    return f"subscription:{subscription_id}:period:{period}:{at.isoformat()}"


def subscription_refund(subscription_id: int) -> str:
    """The refund of the unused part of a subscription ended early."""
    return f"subscription:{subscription_id}:refund"


def fee_period(assignment_id: int, period: int) -> str:
    """The charge for period ``period`` of a periodic fee assignment."""
    return f"fee:{assignment_id}:period:{period}"


def desk_payment_external_id(token: str) -> str:
    """``external_id`` of a payment entered at the cashier's desk (the form's key)."""
    return f"desk:{token}"


# --- the same formats as SQL expressions (for set-based statements) ---------------
def sql_payment(payment_id: str) -> str:
    return f"'payment:' || {payment_id}"


def sql_subscription_start(subscription_id: str) -> str:
    return f"'subscription:' || {subscription_id} || ':period:1'"


def sql_subscription_renewal(subscription_id: str, period: str, at_iso: str) -> str:
    """``at_iso`` is an SQL expression for ``at.isoformat()`` (pass it as a parameter)."""
    return (
        f"'subscription:' || {subscription_id} || ':period:' || {period}::text || ':' || {at_iso}"
    )


def sql_fee_period(assignment_id: str, period: str) -> str:
    return f"'fee:' || {assignment_id} || ':period:' || {period}"
