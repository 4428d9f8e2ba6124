"""Read models of the cabinet.  Every query starts from the logged-in customer,
so no page or endpoint can reach another customer's rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils import timezone

from lastmile.customers.models import Customer
from lastmile.finance.models import ZERO, Account, LedgerEntry
from lastmile.finance.services import available_funds
from lastmile.network.models import Lease, Session
from lastmile.subscriptions.models import Subscription
from lastmile.subscriptions.services import current_subscription, pending_preorder


@dataclass(frozen=True)
class AccountSummary:
    balance: Decimal
    credit_limit: Decimal
    credit_until: datetime | None
    available: Decimal
    is_promised_payment: bool
    promised_payment_offered: bool


def account_summary(customer: Customer) -> AccountSummary:
    """Balance, credit in force and whether a promised payment is on offer."""
    now = timezone.now()
    account = Account.objects.filter(pk=customer.pk).first() or Account(customer=customer)
    credit_in_force = account.credit_until is None or account.credit_until > now
    return AccountSummary(
        balance=account.balance,
        credit_limit=account.credit_limit if credit_in_force else ZERO,
        credit_until=account.credit_until if credit_in_force else None,
        available=available_funds(account, now),
        is_promised_payment=account.credit_until is not None and credit_in_force,
        promised_payment_offered=settings.LASTMILE.promised_payment_enabled,
    )


def ledger(customer: Customer) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(account_id=customer.pk).order_by("-id")


def subscriptions(customer: Customer) -> QuerySet[Subscription]:
    return (
        Subscription.objects.filter(customer_id=customer.pk)
        .select_related("tariff")
        .order_by("-id")
    )


def sessions(customer: Customer) -> QuerySet[Session]:
    return Session.objects.filter(customer_id=customer.pk).order_by("-started_at", "-id")


def active_leases(customer: Customer) -> QuerySet[Lease]:
    return Lease.objects.filter(customer_id=customer.pk, ended_at__isnull=True).order_by("address")


@dataclass(frozen=True)
class Traffic:
    downloaded_octets: int
    uploaded_octets: int


def traffic_this_month(customer: Customer) -> Traffic:
    """Octets of sessions started this (local) month; octets_out is the download."""
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    totals = (
        sessions(customer)
        .filter(started_at__gte=start)
        .aggregate(down=Sum("octets_out"), up=Sum("octets_in"))
    )
    return Traffic(downloaded_octets=totals["down"] or 0, uploaded_octets=totals["up"] or 0)


def overview(customer: Customer) -> dict[str, object]:
    """Everything the cabinet's home page shows."""
    return {
        "summary": account_summary(customer),
        "current": current_subscription(customer.pk),
        "preorder": pending_preorder(customer.pk),
        "leases": list(active_leases(customer)),
        "traffic": traffic_this_month(customer),
    }
