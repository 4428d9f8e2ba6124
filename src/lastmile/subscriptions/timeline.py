"""Subscriptions on the customer timeline: started, ended, pre-ordered."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from lastmile.core.formatting import format_money
from lastmile.customers.timeline import TimelineEvent
from lastmile.subscriptions.models import Subscription


def subscription_events(customer: Any, user: Any, limit: int) -> list[TimelineEvent]:
    events = []
    rows = (
        Subscription.objects.restrict(user, "view")
        .filter(customer=customer)
        .select_related("tariff")
        .order_by("-id")[:limit]
    )
    for sub in rows:
        price = format_money(sub.price)
        if sub.state == "preordered":
            title = _("Tariff %(tariff)s pre-ordered") % {"tariff": sub.tariff.name}
        else:
            title = _("Tariff %(tariff)s started") % {"tariff": sub.tariff.name}
        events.append(
            TimelineEvent(
                at=sub.anchor or sub.created_at, kind="subscriptions", title=title, detail=price
            )
        )
        if sub.ended_at is not None:
            events.append(
                TimelineEvent(
                    at=sub.ended_at,
                    kind="subscriptions",
                    title=_("Tariff %(tariff)s ended") % {"tariff": sub.tariff.name},
                    detail=sub.end_reason,
                )
            )
    return events
