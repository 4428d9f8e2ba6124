"""Tickets on the customer timeline."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from lastmile.customers.timeline import TimelineEvent
from lastmile.tickets.models import Ticket


def ticket_events(customer: Any, user: Any, limit: int) -> list[TimelineEvent]:
    tickets = (
        Ticket.objects.restrict(user, "view")
        .filter(customer=customer)
        .select_related("kind")
        .order_by("-id")[:limit]
    )
    return [
        TimelineEvent(
            at=ticket.created_at,
            kind="tickets",
            title=_("Ticket #%(number)s: %(kind)s") % {"number": ticket.pk, "kind": ticket.kind},
            detail=ticket.get_state_display(),
            url=ticket.get_absolute_url(),
        )
        for ticket in tickets
    ]
