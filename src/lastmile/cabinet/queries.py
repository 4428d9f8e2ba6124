"""Read models of the cabinet.  Every query starts from the logged-in customer,
so no page or endpoint can reach another customer's rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, QuerySet, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.cabinet.errors import PeriodInvalid
from lastmile.customers.models import Customer
from lastmile.finance.models import ZERO, Account, LedgerEntry, Payment
from lastmile.finance.services import available_funds
from lastmile.network.models import Lease, Session
from lastmile.notifications.events import ONE_TIME_CODE
from lastmile.notifications.models import SUBSCRIBER_CHANNELS, Channel, Outbox
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


# Statement -----------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """The ledger of one period, read as it is: the balance before the first entry,
    every entry, the balance after the last (no balance is computed anew)."""

    start: date
    end: date
    opening: Decimal
    closing: Decimal
    entries: list[LedgerEntry]
    credits: Decimal
    debits: Decimal


# Days a statement may cover: outside them the local midnights overflow.
EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(9998, 12, 31)
MAX_STATEMENT_DAYS = 366


def default_statement_period() -> tuple[date, date]:
    """The statement shown when no period is asked for: this month so far."""
    today = timezone.localdate()
    return today.replace(day=1), today


def check_statement_period(start: date, end: date) -> None:
    """``PeriodInvalid`` unless ``start``..``end`` is a period of at most a year
    (ends included) within the days a statement can cover."""
    for day, field in ((start, "start"), (end, "end")):
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            raise PeriodInvalid(
                _("Choose a date from %(first)s to %(last)s.")
                % {"first": EARLIEST_DAY.isoformat(), "last": LATEST_DAY.isoformat()},
                field=field,
            )
    if start > end:
        raise PeriodInvalid(_("The end is before the start."))
    if (end - start).days > MAX_STATEMENT_DAYS:
        raise PeriodInvalid(_("A statement covers at most one year."))


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def statement(customer: Customer, start: date, end: date) -> Statement:
    """Entries created from the local midnight of ``start`` to the end of ``end``."""
    since, until = _day_start(start), _day_start(end + timedelta(days=1))
    entries = list(
        LedgerEntry.objects.filter(
            account_id=customer.pk, created_at__gte=since, created_at__lt=until
        )
        .select_related("payment")
        .order_by("id")
    )
    if entries:
        opening, closing = entries[0].balance_before, entries[-1].balance_after
    else:
        before = (
            LedgerEntry.objects.filter(account_id=customer.pk, created_at__lt=since)
            .order_by("-id")
            .values_list("balance_after", flat=True)
            .first()
        )
        opening = closing = before if before is not None else ZERO
    return Statement(
        start=start,
        end=end,
        opening=opening,
        closing=closing,
        entries=entries,
        credits=sum((e.amount for e in entries if e.amount > 0), ZERO),
        debits=sum((e.amount for e in entries if e.amount < 0), ZERO),
    )


def payments(customer: Customer) -> QuerySet[Payment]:
    """The customer's payments, each with a receipt (a reversed one says so)."""
    return Payment.objects.filter(account_id=customer.pk).order_by("-paid_at", "-id")


def payment_of(customer: Customer, pk: int) -> Payment | None:
    """One of the customer's payments, ready for its receipt; None if not theirs."""
    return payments(customer).select_related("account__customer", "actor").filter(pk=pk).first()


# Messages ------------------------------------------------------------------------


def messages(customer: Customer) -> QuerySet[Outbox]:
    """What was sent to the customer (e-mail, Telegram, SMS), newest first, one
    entry per notice: the e-mail copy when there is one (it has the subject).
    One-time codes are left out (their stored text carries a mark, not the
    code), and so are webhooks (machine payloads, not messages)."""
    sent = Outbox.objects.filter(
        customer=customer, state=Outbox.State.SENT, channel__in=SUBSCRIBER_CHANNELS
    ).exclude(event=ONE_TIME_CODE)
    email_first = Case(When(channel=Channel.EMAIL, then=Value(0)), default=Value(1))
    one_per_notice = (
        sent.order_by("dedup_key", email_first, "id").distinct("dedup_key").values("id")
    )
    return Outbox.objects.filter(pk__in=one_per_notice).order_by("-sent_at", "-id")


# Traffic by day ------------------------------------------------------------------


@dataclass(frozen=True)
class TrafficDay:
    day: date
    downloaded: int
    uploaded: int


def daily_traffic(customer: Customer, days: int = 30) -> list[TrafficDay]:
    """Octets per local day of the last ``days`` days (today included), each
    session counted on the day it started (accounting keeps a total per session)."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    rows = (
        sessions(customer)
        .filter(started_at__gte=_day_start(first))
        .annotate(day=TruncDate("started_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(down=Sum("octets_out"), up=Sum("octets_in"))
        .order_by()
    )
    by_day = {row["day"]: row for row in rows}
    out = []
    for n in range(days):
        day = first + timedelta(days=n)
        row = by_day.get(day) or {}
        out.append(
            TrafficDay(day=day, downloaded=row.get("down") or 0, uploaded=row.get("up") or 0)
        )
    return out
