"""One-off services and periodic fees of a customer (the fee run is in ``billing``)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from lastmile.core.actor import Actor
from lastmile.customers.models import Customer
from lastmile.finance import keys
from lastmile.finance import services as ledger
from lastmile.finance.models import LedgerEntry
from lastmile.subscriptions.models import (
    FeeAssignment,
    OneOffService,
    PeriodicFee,
)


def sell_one_off(
    *, customer: Customer, service: OneOffService, actor: Actor | None = None, key: str
) -> LedgerEntry:
    """Charge a one-off service once per ``key`` (the form's idempotency key).
    ``charge`` takes the account lock first and then checks the key, so two
    submits at once give the one entry."""
    return ledger.charge(
        customer_id=customer.pk,
        amount=service.price,
        idempotency_key=keys.one_off(key),
        reason=service.name,
        actor=actor,
    )


def assign_fee(
    *, customer: Customer, fee: PeriodicFee, start: datetime | None = None
) -> FeeAssignment:
    """Start charging a periodic fee; the first charge is due at ``start``."""
    start = start or timezone.now()
    return FeeAssignment.objects.create(
        customer=customer, fee=fee, price=fee.price, anchor=start, next_charge_at=start
    )


def stop_fee(*, assignment: FeeAssignment) -> None:
    FeeAssignment.objects.filter(pk=assignment.pk).update(is_active=False)
