"""Read selectors of the tickets app."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from lastmile.accounts.models import User
from lastmile.tickets.models import OPEN_STATES, Ticket


def visible_tickets(user: Any) -> QuerySet[Ticket]:
    """Tickets ``user`` may view, the user's own open tickets first, then by
    priority and due time."""
    executor_rel = Ticket.executors.through.objects.filter(ticket=OuterRef("pk"), user=user.pk)
    mine = Q(Exists(executor_rel)) | Q(responsible=user.pk)
    return (
        Ticket.objects.restrict(user, "view")
        .select_related("kind", "customer", "site", "author", "responsible")
        .prefetch_related("executors")
        .annotate(
            mine_open=Case(
                When(mine & Q(state__in=OPEN_STATES), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            priority_rank=Case(
                When(priority="urgent", then=Value(0)),
                When(priority="high", then=Value(1)),
                When(priority="normal", then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            ),
        )
        .order_by("mine_open", "priority_rank", "due_at", "-created_at", "-id")
    )


def is_participant(user: Any, ticket: Ticket) -> bool:
    """An executor or the responsible person of the ticket."""
    return ticket.responsible_id == user.pk or ticket.executors.filter(pk=user.pk).exists()


def executor_candidates() -> QuerySet[User]:
    """Active staff with any grant on tickets (superusers included): the only
    ones whose permissions can cover a ticket."""
    ct = ContentType.objects.get_for_model(Ticket)
    candidates: QuerySet[User] = (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(object_permissions__object_types=ct, object_permissions__is_enabled=True)
            | Q(
                groups__object_permissions__object_types=ct,
                groups__object_permissions__is_enabled=True,
            )
        )
        .distinct()
        .order_by("username")
    )
    return candidates


def eligible_executors(*, ticket: Ticket) -> list[User]:
    """Active staff whose permissions let them view this ticket (its site/group)."""
    return [
        user
        for user in executor_candidates()
        if user.is_superuser or Ticket.objects.restrict(user, "view").filter(pk=ticket.pk).exists()
    ]


def dispatchers(*, ticket: Ticket) -> list[User]:
    """Active staff who may assign this ticket (``change`` on it): who hears
    of a new ticket that nobody is assigned to."""
    return [
        user
        for user in executor_candidates()
        if user.is_superuser
        or Ticket.objects.restrict(user, "change").filter(pk=ticket.pk).exists()
    ]
