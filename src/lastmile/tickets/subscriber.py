"""Use cases of the subscriber's own requests (the cabinet): open one, reply to it.

The cabinet has authenticated the customer and passes only that one, so these
check ownership, not staff permissions; the ticket log names the customer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import structlog
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.accounts.models import User
from lastmile.notifications import events
from lastmile.notifications.services import notify
from lastmile.tickets.attachments import check_uploads, save_attachments
from lastmile.tickets.errors import TicketError, TicketForbidden
from lastmile.tickets.history import snapshot_of
from lastmile.tickets.models import (
    OPEN_STATES,
    TRANSITIONS,
    Ticket,
    TicketComment,
    TicketKind,
    TicketLog,
)
from lastmile.tickets.queries import dispatchers
from lastmile.tickets.services import route_new_ticket, ticket_url

log = structlog.get_logger(__name__)


#: The staff account a subscriber's own request is authored by (never logs in).
CABINET_AUTHOR = "cabinet"


def cabinet_author() -> User:
    """The inactive system user that authors tickets opened by subscribers."""
    user: User
    user, created = User.objects.get_or_create(
        username=CABINET_AUTHOR,
        defaults={"is_active": False, "first_name": "Subscriber cabinet"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def open_subscriber_request(
    *,
    customer: Any,
    subject: str,
    message: str,
    kind: TicketKind | None = None,
    files: Iterable[UploadedFile] = (),
) -> Ticket:
    """A ticket opened by the subscriber in the cabinet (state "new", the customer's
    site); the subject is the first line of the description.  Attached files (the
    staff comments' limits) go on a first public comment by the customer, as a
    ticket's files always hang on a comment.  No permission check: the cabinet has
    authenticated the customer, and only ever passes that one."""
    subject, message = subject.strip(), message.strip()
    if not subject or not message:
        raise TicketError(_("Write a subject and a message."))
    checked = check_uploads(files)
    if kind is None:
        code = settings.LASTMILE.cabinet_request_kind
        kind = (
            TicketKind.objects.filter(code=code).first()
            or TicketKind.objects.filter(is_active=True).order_by("position", "id").first()
        )
        if kind is None:
            raise TicketError(_("Requests cannot be taken right now; please call us."))
    author = cabinet_author()
    with transaction.atomic():
        ticket = Ticket.objects.create(
            kind=kind,
            description=f"{subject}\n\n{message}",
            customer=customer,
            site=getattr(customer, "site", None),
            author=author,
        )
        TicketLog.objects.create(
            ticket=ticket,
            action=TicketLog.Action.CREATED,
            actor=None,
            actor_name=f"customer:{customer.login}"[:150],
            after=snapshot_of(ticket),
        )
        if checked:
            comment = TicketComment.objects.create(
                ticket=ticket, author=author, customer=customer, text="", is_public=True
            )
            save_attachments(comment, checked)
        route_new_ticket(ticket, author, by_subscriber=True)
    log.info("ticket.created_by_subscriber", ticket_id=ticket.pk, customer_id=customer.pk)
    return ticket


def add_subscriber_reply(
    *, ticket: Ticket, customer: Any, text: str, files: Iterable[UploadedFile] = ()
) -> TicketComment:
    """The subscriber's reply to their own ticket: a public comment by the customer,
    with files if any (the staff comments' limits; a refused file saves nothing).

    A closed ticket (done, failed, cancelled) is reopened by the reply, along the
    transition table, with a log entry; so a reply is never lost in a closed
    ticket nobody looks at.  The ticket row is locked first, so two replies at
    once are both kept and the ticket is reopened once.  No permission check:
    the cabinet passes only the logged-in customer's own ticket, which is checked
    again here.  The ticket's responsible person and executors get a staff
    notification, written in the same transaction (one per reply and person)."""
    text, files = text.strip(), list(files)
    if not text and not files:
        raise TicketError(_("Write your reply or attach a file."), field="text")
    if ticket.customer_id != getattr(customer, "pk", None):
        raise TicketForbidden(_("This request is not yours."))
    checked = check_uploads(files)
    author = cabinet_author()
    who = f"customer:{customer.login}"[:150]
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        comment = TicketComment.objects.create(
            ticket=locked, author=author, customer=customer, text=text, is_public=True
        )
        save_attachments(comment, checked)
        reopened_from = _reopen_for_reply(locked, who)
        Ticket.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
        _notify_assignees(locked, comment, was_reopened=reopened_from is not None)
    log.info(
        "ticket.subscriber_reply",
        ticket_id=ticket.pk,
        customer_id=customer.pk,
        reopened_from=reopened_from,
    )
    ticket.refresh_from_db()
    return comment


def _reopen_for_reply(ticket: Ticket, who: str) -> str | None:
    """Reopen a closed ticket (row already locked); the old state, or None."""
    if ticket.state in OPEN_STATES:
        return None
    from_state = ticket.state
    to_state = sorted(TRANSITIONS[from_state])[0]  # each closed state has one way back
    Ticket.objects.filter(pk=ticket.pk, state=from_state).update(state=to_state, finished_at=None)
    ticket.state, ticket.finished_at = to_state, None
    TicketLog.objects.create(
        ticket=ticket,
        action=TicketLog.Action.STATE,
        actor=None,
        actor_name=who,
        from_state=from_state,
        to_state=to_state,
        comment=_("Reopened by the subscriber's reply."),
    )
    return from_state


def _assignees(ticket: Ticket) -> list[User]:
    """Who hears of a subscriber's reply: the responsible person and the executors;
    on a ticket nobody (active) is assigned to, the staff who may assign it."""
    people = {u.pk: u for u in ticket.executors.filter(is_active=True).order_by("pk")}
    if ticket.responsible is not None and ticket.responsible.is_active:
        people.setdefault(ticket.responsible.pk, ticket.responsible)
    return list(people.values()) or dispatchers(ticket=ticket)


def _notify_assignees(ticket: Ticket, comment: TicketComment, *, was_reopened: bool) -> None:
    customer = comment.customer
    context = {
        "ticket_id": ticket.pk,
        "ticket_kind": ticket.kind.name,
        "ticket_url": ticket_url(ticket),
        "customer_login": customer.login if customer else "",
        "customer_address": customer.address if customer else "",
        "reply_text": comment.text,
        "file_count": comment.attachments.count(),
        "was_reopened": was_reopened,
    }
    for user in _assignees(ticket):
        notify(
            event=events.TICKET_SUBSCRIBER_REPLY,
            staff_user=user,
            context=context,
            dedup_key=f"ticket_subscriber_reply:{comment.pk}:{user.pk}",
        )
