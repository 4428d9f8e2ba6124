"""Use cases of tickets for staff: create, assign, change state, edit, comment.
(The subscriber's own requests are in ``tickets.subscriber``.)

Every change writes the ticket's log with the actor and time.  State flips
are conditional UPDATEs (``WHERE state = old``) checked by row count, so two
people pressing "finish" at once cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import structlog
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.accounts.models import User
from lastmile.accounts.permissions import has_model_permission
from lastmile.notifications import events
from lastmile.notifications.services import notify
from lastmile.tickets.attachments import check_uploads, save_attachments
from lastmile.tickets.errors import (
    CommentRequired,
    ConcurrentChange,
    ExecutorNotAllowed,
    IllegalTransition,
    TicketError,
    TicketForbidden,
)
from lastmile.tickets.history import assignment_of, plain_value, snapshot_of, write_log
from lastmile.tickets.models import (
    COMMENT_REQUIRED,
    OPEN_STATES,
    TRANSITIONS,
    Ticket,
    TicketComment,
    TicketKind,
    TicketLog,
    TicketState,
)
from lastmile.tickets.queries import dispatchers, eligible_executors, is_participant

log = structlog.get_logger(__name__)

EDITABLE_FIELDS = ("kind", "priority", "description", "due_at", "device_id", "port_id")


def create_ticket(
    *,
    actor: User,
    kind: TicketKind,
    description: str,
    priority: str = "normal",
    customer: Any = None,
    site: Any = None,
    due_at: datetime | None = None,
    responsible: User | None = None,
    executors: Sequence[User] = (),
    device_id: int | None = None,
    port_id: int | None = None,
) -> Ticket:
    """Open a ticket (state "new"); the site defaults to the customer's.

    Executors are checked like a reassignment; anything refused rolls the
    whole creation back.
    """
    if not has_model_permission(actor, Ticket, "add"):
        raise TicketForbidden(_("You are not allowed to create tickets."))
    if not description.strip():
        raise TicketError(_("Describe the problem or the job."))
    with transaction.atomic():
        ticket = Ticket.objects.create(
            kind=kind,
            description=description.strip(),
            priority=priority,
            customer=customer,
            site=site or getattr(customer, "site", None) or actor.site,
            due_at=due_at,
            author=actor,
            device_id=device_id,
            port_id=port_id,
        )
        if not Ticket.objects.restrict(actor, "add").filter(pk=ticket.pk).exists():
            raise TicketForbidden(_("You are not allowed to create a ticket for this site."))
        write_log(ticket, actor, TicketLog.Action.CREATED, after=snapshot_of(ticket))
        if responsible is not None or executors:
            _assign(ticket, actor, responsible=responsible, executors=executors)
        else:
            route_new_ticket(ticket, actor)
    log.info("ticket.created", ticket_id=ticket.pk, customer_id=getattr(customer, "pk", None))
    return ticket


def route_new_ticket(ticket: Ticket, actor: User, *, by_subscriber: bool = False) -> User | None:
    """The rule for a new ticket nobody is assigned to, run in its creating
    transaction: the kind's responsible-by-default person takes it when active
    and their permissions cover the ticket (logged and notified as any
    assignment); otherwise everyone who may assign it is told that it waits.
    Returns who took it (``None`` when it waits)."""
    chosen = ticket.kind.default_responsible
    if chosen is not None and chosen.is_active:
        covered = chosen.is_superuser or (
            Ticket.objects.restrict(chosen, "view").filter(pk=ticket.pk).exists()
        )
        if covered:
            _assign(ticket, actor, responsible=chosen, executors=())
            return chosen
    context = {
        **_assigned_context(ticket),
        "author": actor.get_full_name() or actor.get_username(),
        "by_subscriber": by_subscriber,
    }
    for user in dispatchers(ticket=ticket):
        if user.pk == actor.pk:
            continue  # who opened it knows
        notify(
            event=events.TICKET_UNASSIGNED,
            staff_user=user,
            context=context,
            dedup_key=f"ticket_unassigned:{ticket.pk}:{user.pk}",
        )
    return None


def executor_choices(
    *, actor: User, kind: TicketKind | None, customer: Any, site: Any
) -> list[User]:
    """Who could be an executor of a ticket not created yet: decided on a probe
    row inserted and rolled back, so the answer is exactly what creation checks."""
    kind = kind or TicketKind.objects.filter(is_active=True).first()
    if kind is None:
        return []
    with transaction.atomic():
        probe = Ticket.objects.create(
            kind=kind,
            description="probe",
            customer=customer,
            site=site or getattr(customer, "site", None) or actor.site,
            author=actor,
        )
        users = eligible_executors(ticket=probe)
        transaction.set_rollback(True)
    return users


def assign_ticket(
    *, ticket: Ticket, actor: User, responsible: User | None, executors: Sequence[User]
) -> Ticket:
    """Set the responsible person and the executors; logs before → after and
    notifies the newly assigned.  Only active staff whose permissions cover
    the ticket can be chosen."""
    _require_change(actor, ticket)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        _assign(locked, actor, responsible=responsible, executors=executors)
    ticket.refresh_from_db()
    return ticket


def _assign(
    ticket: Ticket, actor: User, *, responsible: User | None, executors: Sequence[User]
) -> None:
    wanted = {u.pk: u for u in executors}
    people = list(wanted.values()) + ([responsible] if responsible is not None else [])
    allowed = {u.pk for u in eligible_executors(ticket=ticket)}
    refused = sorted({u.get_username() for u in people if u.pk not in allowed or not u.is_active})
    if refused:
        raise ExecutorNotAllowed(
            _(
                "Cannot assign %(names)s: only active staff whose permissions cover "
                "this ticket's site can be executors."
            )
            % {"names": ", ".join(refused)}
        )
    before_ids = set(ticket.executors.values_list("pk", flat=True))
    before = assignment_of(ticket.responsible, User.objects.filter(pk__in=before_ids))
    after = assignment_of(responsible, wanted.values())
    if before == after:
        return
    Ticket.objects.filter(pk=ticket.pk).update(responsible=responsible)
    ticket.responsible = responsible
    ticket.executors.set(list(wanted.values()))
    entry = write_log(ticket, actor, TicketLog.Action.ASSIGNED, before=before, after=after)
    newly = [u for pk, u in wanted.items() if pk not in before_ids]
    if responsible is not None and responsible.pk != before.get("responsible_id"):
        newly.append(responsible)
    for user in {u.pk: u for u in newly}.values():
        notify(
            event=events.TICKET_ASSIGNED,
            staff_user=user,
            context=_assigned_context(ticket),
            dedup_key=f"ticket_assigned:{ticket.pk}:{entry.pk}:{user.pk}",
        )


def change_state(*, ticket: Ticket, actor: User, to_state: str, comment: str = "") -> Ticket:
    """Move the ticket along the transition table; finishing or failing needs a
    comment, which is written to the log.  Illegal moves are refused."""
    _require_work(actor, ticket)
    from_state = ticket.state
    if to_state not in TRANSITIONS.get(from_state, frozenset()):
        raise IllegalTransition(_illegal_message(from_state, to_state))
    if to_state in COMMENT_REQUIRED and not comment.strip():
        raise CommentRequired(
            _("A comment is required to mark the ticket “%(state)s”.")
            % {"state": TicketState(to_state).label}
        )
    now = timezone.now()
    finished_at = None if to_state in OPEN_STATES else now
    with transaction.atomic():
        updated = Ticket.objects.filter(pk=ticket.pk, state=from_state).update(
            state=to_state, finished_at=finished_at
        )
        if updated != 1:
            raise ConcurrentChange(
                _("The ticket was changed by someone else meanwhile. Reload the page.")
            )
        ticket.refresh_from_db()
        entry = write_log(
            ticket,
            actor,
            TicketLog.Action.STATE,
            from_state=from_state,
            to_state=to_state,
            comment=comment.strip(),
        )
        if to_state == TicketState.DONE:
            _notify_finished(ticket, entry)
    log.info("ticket.state", ticket_id=ticket.pk, from_state=from_state, to_state=to_state)
    return ticket


def _illegal_message(from_state: str, to_state: str) -> str:
    labels = dict(TicketState.choices)
    allowed = ", ".join(str(labels[s]) for s in sorted(TRANSITIONS.get(from_state, ()))) or "-"
    return _(
        "A ticket in state “%(from)s” cannot become “%(to)s”. Allowed next states: %(allowed)s."
    ) % {
        "from": labels.get(from_state, from_state),
        "to": labels.get(to_state, to_state),
        "allowed": allowed,
    }


def update_ticket(*, ticket: Ticket, actor: User, **changes: Any) -> Ticket:
    """Edit kind, priority, description, due time or device; the log keeps before → after."""
    _require_change(actor, ticket)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TicketError(_("These fields cannot be edited: %s") % ", ".join(sorted(unknown)))
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        before, after = {}, {}
        for name, value in changes.items():
            old = getattr(locked, name)
            if old != value:
                before[name], after[name] = plain_value(old), plain_value(value)
                setattr(locked, name, value)
        if not after:
            return locked
        if not str(locked.description).strip():
            raise TicketError(_("Describe the problem or the job."))
        locked.save(update_fields=[*changes.keys(), "updated_at"])
        write_log(locked, actor, TicketLog.Action.EDITED, before=before, after=after)
    return locked


def add_comment(
    *,
    ticket: Ticket,
    actor: User,
    text: str,
    files: Iterable[UploadedFile] = (),
    is_public: bool = False,
) -> TicketComment:
    """A staff comment with optional attachments (size- and type-checked).

    Internal unless ``is_public``: only a public comment reaches the subscriber's
    cabinet, so staff decide per comment and the default keeps notes private."""
    _require_work(actor, ticket)
    files = list(files)
    if not text.strip() and not files:
        raise TicketError(_("Write a comment or attach a file."))
    if is_public and ticket.customer_id is None:
        raise TicketError(_("This ticket has no customer to show a public comment to."))
    checked = check_uploads(files)
    with transaction.atomic():
        comment = TicketComment.objects.create(
            ticket=ticket, author=actor, text=text.strip(), is_public=is_public
        )
        save_attachments(comment, checked)
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
    return comment


# Helpers -------------------------------------------------------------------------


def can_change(user: User, ticket: Ticket) -> bool:
    return Ticket.objects.restrict(user, "change").filter(pk=ticket.pk).exists()


def can_work(user: User, ticket: Ticket) -> bool:
    """Change its state and comment: those with "change", and its own people."""
    return user.is_active and (can_change(user, ticket) or is_participant(user, ticket))


def _require_change(actor: User, ticket: Ticket) -> None:
    if not can_change(actor, ticket):
        raise TicketForbidden(_("You are not allowed to change this ticket."))


def _require_work(actor: User, ticket: Ticket) -> None:
    if not can_work(actor, ticket):
        raise TicketForbidden(_("You are not allowed to work on this ticket."))


def ticket_url(ticket: Ticket) -> str:
    base = (
        settings.LASTMILE.csrf_trusted_origins[0] if settings.LASTMILE.csrf_trusted_origins else ""
    )
    return f"{base}{reverse('tickets:ticket_detail', args=[ticket.pk])}"


def _assigned_context(ticket: Ticket) -> dict[str, Any]:
    customer = ticket.customer
    return {
        "ticket_id": ticket.pk,
        "ticket_kind": ticket.kind.name,
        "ticket_priority": str(ticket.get_priority_display()),
        "ticket_description": ticket.description,
        "ticket_url": ticket_url(ticket),
        "customer_login": customer.login if customer else "",
        "customer_address": customer.address if customer else "",
        "due_at": ticket.due_at or "",
    }


def _notify_finished(ticket: Ticket, entry: TicketLog) -> None:
    if ticket.customer is None or not ticket.kind.notify_customer_on_finish:
        return
    notify(
        event=events.TICKET_FINISHED,
        customer=ticket.customer,
        context={
            "ticket_id": ticket.pk,
            "ticket_kind": ticket.kind.name,
            "comment": entry.comment,
        },
        dedup_key=f"ticket_finished:{ticket.pk}:{entry.pk}",
    )
