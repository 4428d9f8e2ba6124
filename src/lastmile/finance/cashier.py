"""The cashier desk: payment methods, what a payment will pay for, the shift
report.  Read-only helpers; every balance change goes through ``services``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lastmile.finance.models import ZERO, Account, EntryKind, LedgerEntry, Payment


class DeskMethod:
    """Methods a cashier records; the value is stored as ``Payment.gateway``."""

    CASH = "cash"
    CARD_TERMINAL = "card_terminal"
    BANK_TRANSFER = "bank_transfer"
    CHOICES = [
        (CASH, _("Cash")),
        (CARD_TERMINAL, _("Card terminal")),
        (BANK_TRANSFER, _("Bank transfer")),
    ]
    VALUES = [value for value, _label in CHOICES]

    @classmethod
    def label(cls, value: str) -> Any:
        return dict(cls.CHOICES).get(value, value)


@dataclass(frozen=True)
class PaymentContext:
    """What the cashier sees before taking money from a customer."""

    balance: Decimal
    debt: Decimal
    tariff_name: str | None
    tariff_price: Decimal | None
    renewal_price: Decimal | None
    renewal_tariff: str | None


@dataclass(frozen=True)
class Renewal:
    """What the customer pays for now and what the next payment will renew."""

    tariff_name: str | None = None
    tariff_price: Decimal | None = None
    renewal_price: Decimal | None = None
    renewal_tariff: str | None = None


_renewal_sources: list[Callable[[int], Renewal]] = []


def register_renewal_source(source: Callable[[int], Renewal]) -> None:
    """The app that sells tariffs (subscriptions) tells the desk what a payment renews;
    registered from its ``AppConfig.ready()``, so finance does not import it."""
    if source not in _renewal_sources:
        _renewal_sources.append(source)


def payment_context(customer_id: int) -> PaymentContext:
    """Balance, debt, the active tariff and what the next payment will renew."""
    account = Account.objects.filter(pk=customer_id).first()
    balance = account.balance if account else ZERO
    renewal = _renewal_sources[0](customer_id) if _renewal_sources else Renewal()
    return PaymentContext(
        balance=balance,
        debt=-balance if balance < 0 else ZERO,
        tariff_name=renewal.tariff_name,
        tariff_price=renewal.tariff_price,
        renewal_price=renewal.renewal_price,
        renewal_tariff=renewal.renewal_tariff,
    )


def day_bounds(since: date, until: date) -> tuple[datetime, datetime]:
    """Local midnight of ``since`` to local midnight after ``until``."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tzinfo=tz)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


@dataclass
class ShiftRow:
    cashier: str
    method: str
    count: int = 0
    received: Decimal = ZERO
    reversed_count: int = 0
    reversed: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.received + self.reversed

    @property
    def method_label(self) -> Any:
        return DeskMethod.label(self.method)


@dataclass
class ShiftReport:
    since: date
    until: date
    rows: list[ShiftRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(r.count for r in self.rows)

    @property
    def received(self) -> Decimal:
        return sum((r.received for r in self.rows), ZERO)

    @property
    def reversed(self) -> Decimal:
        return sum((r.reversed for r in self.rows), ZERO)

    @property
    def net(self) -> Decimal:
        return self.received + self.reversed


def shift_report(
    *, payments: QuerySet[Payment], since: date, until: date, cashier_id: int | None = None
) -> ShiftReport:
    """Desk payments per cashier and method, summed from the ledger itself.

    Counted are the ledger entries made in the period (local days) for desk
    payments: payment entries (received) and reversal entries (negative),
    so the report always equals the ledger.  ``payments`` is what the user
    may see (``Payment.objects.restrict``)."""
    start, end = day_bounds(since, until)
    entries = LedgerEntry.objects.filter(
        created_at__gte=start,
        created_at__lt=end,
        kind__in=[EntryKind.PAYMENT, EntryKind.REVERSAL],
        payment__in=payments.filter(gateway__in=DeskMethod.VALUES, actor__isnull=False),
    )
    if cashier_id is not None:
        entries = entries.filter(payment__actor_id=cashier_id)
    grouped = (
        entries.order_by()
        .values("payment__actor__username", "payment__gateway")
        .annotate(
            count=Count("id", filter=Q(kind=EntryKind.PAYMENT)),
            received=Sum("amount", filter=Q(kind=EntryKind.PAYMENT)),
            reversed_count=Count("id", filter=Q(kind=EntryKind.REVERSAL)),
            reversed=Sum("amount", filter=Q(kind=EntryKind.REVERSAL)),
        )
        .order_by("payment__actor__username", "payment__gateway")
    )
    report = ShiftReport(since=since, until=until)
    for g in grouped:
        report.rows.append(
            ShiftRow(
                cashier=g["payment__actor__username"],
                method=g["payment__gateway"],
                count=g["count"],
                received=g["received"] or ZERO,
                reversed_count=g["reversed_count"],
                reversed=g["reversed"] or ZERO,
            )
        )
    return report


def reversal_of(payment: Payment) -> LedgerEntry | None:
    """The ledger entry that reversed ``payment``, if any."""
    return LedgerEntry.objects.filter(payment=payment, kind=EntryKind.REVERSAL).first()
