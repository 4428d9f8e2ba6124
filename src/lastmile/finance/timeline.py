"""The customer's money on the customer timeline (ledger entries)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from lastmile.core.formatting import format_money
from lastmile.customers.timeline import TimelineEvent
from lastmile.finance.models import LedgerEntry


def money_events(customer: Any, user: Any, limit: int) -> list[TimelineEvent]:
    entries = (
        LedgerEntry.objects.restrict(user, "view")
        .filter(account_id=customer.pk)
        .select_related("actor")
        .order_by("-id")[:limit]
    )
    return [
        TimelineEvent(
            at=entry.created_at,
            kind="money",
            title=f"{entry.get_kind_display()} {format_money(entry.amount)}",
            detail=entry.reason or "",
            url=reverse("finance:payment_detail", args=[entry.payment_id])
            if entry.payment_id
            else "",
            actor=entry.actor.get_username() if entry.actor else entry.actor_label,
        )
        for entry in entries
    ]
