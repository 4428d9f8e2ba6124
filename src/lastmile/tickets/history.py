"""The ticket log's entries: who did what, and the before/after snapshots they keep."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from lastmile.accounts.models import User
from lastmile.tickets.models import Ticket, TicketKind, TicketLog


def assignment_of(responsible: User | None, executors: Iterable[User]) -> dict[str, Any]:
    """Who a ticket is assigned to, as the log keeps it (before or after)."""
    return {
        "responsible_id": responsible.pk if responsible else None,
        "responsible": responsible.get_username() if responsible else None,
        "executors": sorted(u.get_username() for u in executors),
    }


def snapshot_of(ticket: Ticket) -> dict[str, Any]:
    """The fields a "created" log entry keeps of the new ticket."""
    return {
        "kind": ticket.kind.code,
        "priority": ticket.priority,
        "customer": ticket.customer.login if ticket.customer else None,
        "site": ticket.site.slug if ticket.site else None,
        "due_at": plain_value(ticket.due_at),
        "description": ticket.description,
    }


def plain_value(value: Any) -> Any:
    """A field value as JSON the log can store (a time as ISO text, a kind as its code)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, TicketKind):
        return value.code
    return value


def write_log(ticket: Ticket, actor: User | None, action: str, **fields: Any) -> TicketLog:
    """One entry of the ticket's log, with the actor's name kept beside the reference."""
    return TicketLog.objects.create(
        ticket=ticket,
        action=action,
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        **fields,
    )
