"""The morning dashboard: what an ISP looks at first.

Every figure is one aggregate query over rows the user may view
(``restrict(user, "view")``), and a card is shown only to users who may view
its model at all.  Nothing here loops over customers in Python: the pool and
NAS tables loop over pools and NASes (tens of rows), the chart over days.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from lastmile.accounts.models import AuthEvent, Site, User
from lastmile.core.permissions import has_model_permission

CHART_DAYS = 30
ENDING_DAYS = 3


def _url(name: str, params: dict[str, Any] | None = None) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def _card(title: str, value: Any, url: str, tone: str = "") -> dict[str, Any]:
    return {"title": title, "value": value, "url": url, "tone": tone}


def _money(value: Decimal | None) -> str:
    return number_format(value or Decimal("0.00"), decimal_pos=2, force_grouping=True)


def _day_start(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def _may_view(user: Any, model: type) -> bool:
    return bool(user.is_superuser or has_model_permission(user, model, "view"))


def customer_cards(user: Any) -> list[dict[str, Any]]:
    from lastmile.customers.models import Customer
    from lastmile.network.models import Session

    cards: list[dict[str, Any]] = []
    if _may_view(user, Customer):
        counts = Customer.objects.restrict(user, "view").aggregate(
            active=Count("pk", filter=Q(is_active=True)),
            blocked=Count("pk", filter=Q(is_active=False)),
        )
        url = "customers:customer_list"
        cards.append(
            _card(_("Active subscribers"), counts["active"], _url(url, {"is_active": "true"}))
        )
        cards.append(
            _card(_("Blocked subscribers"), counts["blocked"], _url(url, {"is_active": "false"}))
        )
    if _may_view(user, Session):
        online = Session.objects.restrict(user, "view").filter(stopped_at__isnull=True).count()
        cards.append(
            _card(_("Online now"), online, _url("network:session_list", {"is_open": "true"}))
        )
    return cards


def money_cards(user: Any, now: datetime) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    from lastmile.finance.models import Account, Payment

    cards: list[dict[str, Any]] = []
    chart: dict[str, Any] | None = None
    today = _day_start(now)
    if _may_view(user, Payment):
        month = today.replace(day=1)
        since = today - timedelta(days=CHART_DAYS - 1)
        payments = Payment.objects.restrict(user, "view").filter(state=Payment.State.COMPLETED)
        sums = payments.filter(paid_at__gte=min(month, since)).aggregate(
            today=Sum("amount", filter=Q(paid_at__gte=today)),
            today_count=Count("pk", filter=Q(paid_at__gte=today)),
            month=Sum("amount", filter=Q(paid_at__gte=month)),
        )
        url = "finance:payment_list"
        cards.append(
            _card(
                _("Payments today"),
                _money(sums["today"]),
                _url(url, {"since": today.date().isoformat()}),
            )
        )
        cards.append(
            _card(
                _("Payments this month"),
                _money(sums["month"]),
                _url(url, {"since": month.date().isoformat()}),
            )
        )
        per_day = dict(
            payments.filter(paid_at__gte=since)
            .annotate(day=TruncDate("paid_at", tzinfo=timezone.get_current_timezone()))
            .values("day")
            .annotate(total=Sum("amount"))
            .values_list("day", "total")
        )
        days = [(since + timedelta(days=n)).date() for n in range(CHART_DAYS)]
        chart = {
            "label": _("Payments per day"),
            "labels": [date_format(day, "SHORT_DATE_FORMAT") for day in days],
            "values": [float(per_day.get(day) or 0) for day in days],
        }
    if _may_view(user, Account):
        debtors = Account.objects.restrict(user, "view").filter(balance__lt=0).count()
        cards.append(
            _card(
                _("Debtors"),
                debtors,
                _url("customers:customer_list", {"balance": "negative"}),
                "warn" if debtors else "",
            )
        )
    return cards, chart


def service_cards(user: Any, now: datetime) -> list[dict[str, Any]]:
    from lastmile.aaa.models import AccessChange
    from lastmile.notifications.models import Outbox
    from lastmile.subscriptions.models import Subscription, SubscriptionState
    from lastmile.tickets.models import OPEN_STATES, Ticket

    cards: list[dict[str, Any]] = []
    if _may_view(user, Subscription):
        ending = (
            Subscription.objects.restrict(user, "view")
            .filter(
                state=SubscriptionState.ACTIVE,
                period_end__gte=now,
                period_end__lt=now + timedelta(days=ENDING_DAYS),
            )
            .count()
        )
        cards.append(
            _card(
                _("Subscriptions ending in 3 days"),
                ending,
                _url("customers:customer_list", {"ending": ENDING_DAYS}),
            )
        )
    if _may_view(user, Ticket):
        open_states = [str(s) for s in OPEN_STATES]
        counts = (
            Ticket.objects.restrict(user, "view")
            .filter(state__in=open_states)
            .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
        )
        url = "tickets:ticket_list"
        cards.append(_card(_("Open tickets"), counts["open"], _url(url, {"state": open_states})))
        cards.append(
            _card(
                _("Overdue tickets"),
                counts["overdue"],
                _url(url, {"state": open_states, "due_before": now.isoformat()}),
                "warn" if counts["overdue"] else "",
            )
        )
    if _may_view(user, Outbox):
        failed = Outbox.objects.restrict(user, "view").filter(state=Outbox.State.FAILED).count()
        cards.append(
            _card(
                _("Failed notifications"),
                failed,
                _url("notifications:outbox_list", {"state": Outbox.State.FAILED.value}),
                "warn" if failed else "",
            )
        )
    if _may_view(user, AccessChange):
        failed = (
            AccessChange.objects.restrict(user, "view")
            .filter(state=AccessChange.State.FAILED)
            .count()
        )
        cards.append(
            _card(
                _("Failed access changes"),
                failed,
                _url("aaa:change_list", {"state": AccessChange.State.FAILED.value}),
                "warn" if failed else "",
            )
        )
    return cards


def pool_rows(user: Any) -> list[dict[str, Any]] | None:
    from lastmile.network.models import Pool

    if not _may_view(user, Pool):
        return None
    pools = Pool.objects.restrict(user, "view").annotate(
        used=Count("leases", filter=Q(leases__ended_at__isnull=True))
    )
    rows = []
    for pool in pools.order_by("name")[:50]:
        size = pool.size
        percent = round(100 * pool.used / size) if size else None
        rows.append({"pool": pool, "used": pool.used, "size": size, "percent": percent})
    rows.sort(key=lambda row: -(row["percent"] or 0))
    return rows


def nas_rows(user: Any, now: datetime) -> list[dict[str, Any]] | None:
    """Each NAS with the last time one of its open sessions was updated (an
    Interim-Update or Start): a NAS that stopped talking shows up here."""
    from lastmile.network.models import Nas, Session

    if not _may_view(user, Nas):
        return None
    last_seen = dict(
        Session.objects.filter(stopped_at__isnull=True)
        .values("nas_id")
        .annotate(last=Max("updated_at"))
        .values_list("nas_id", "last")
    )
    rows = []
    for nas in Nas.objects.restrict(user, "view").filter(is_active=True).order_by("name")[:50]:
        seen = last_seen.get(nas.pk)
        stale = seen is None or now - seen > timedelta(minutes=15)
        rows.append({"nas": nas, "last_seen": seen, "stale": stale})
    return rows


def admin_cards(user: Any) -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = []
    if user.is_superuser:
        cards.append(
            _card(
                _("Staff"),
                User.objects.filter(is_active=True).count(),
                "/admin/accounts/user/" if settings.LASTMILE.admin_enabled else "",
            )
        )
        cards.append(
            _card(
                _("Failed logins (24 h)"),
                AuthEvent.objects.filter(
                    kind=AuthEvent.Kind.LOGIN_FAILED,
                    created_at__gte=timezone.now() - timedelta(days=1),
                ).count(),
                reverse("accounts:auth_events"),
            )
        )
    if settings.LASTMILE.sites_enabled:
        cards.append(
            _card(
                _("Sites"),
                Site.objects.restrict(user, "view").count(),
                reverse("accounts:site_list"),
            )
        )
    return cards


def dashboard_context(user: Any) -> dict[str, Any]:
    now = timezone.now()
    money, chart = money_cards(user, now)
    return {
        "customer_cards": customer_cards(user),
        "money_cards": money,
        "payments_chart": chart,
        "service_cards": service_cards(user, now),
        "pool_rows": pool_rows(user),
        "nas_rows": nas_rows(user, now),
        "cards": admin_cards(user),
    }
