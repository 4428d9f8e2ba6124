"""Support requests of the subscriber: a ticket opened through the tickets app's
service, at most LASTMILE_CABINET_REQUESTS_PER_HOUR an hour, and the customer's
own tickets with their state and the staff's comments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone

from lastmile.cabinet.errors import RepliesThrottled, RequestsThrottled, UnknownRequestKind
from lastmile.customers.models import Customer
from lastmile.tickets import subscriber as tickets
from lastmile.tickets.models import Ticket, TicketAttachment, TicketComment, TicketKind


def categories() -> QuerySet[TicketKind]:
    return TicketKind.objects.filter(is_active=True).order_by("position", "name")


def category(code: str) -> TicketKind:
    """The active category with this code (the API names kinds by code);
    ``UnknownRequestKind`` for any other."""
    kind = categories().filter(code=code).first()
    if kind is None:
        raise UnknownRequestKind
    return kind


def open_request(
    *,
    customer: Customer,
    subject: str,
    message: str,
    kind: TicketKind | None = None,
    files: Iterable[UploadedFile] = (),
) -> Ticket:
    """Open a ticket for the customer, with files if any; ``RequestsThrottled``
    past the hourly limit."""
    since = timezone.now() - timedelta(hours=1)
    recent = Ticket.objects.filter(
        customer=customer, author__username=tickets.CABINET_AUTHOR, created_at__gte=since
    ).count()
    if recent >= settings.LASTMILE.cabinet_requests_per_hour:
        raise RequestsThrottled
    return tickets.open_subscriber_request(
        customer=customer, subject=subject, message=message, kind=kind, files=files
    )


def requests(customer: Customer) -> QuerySet[Ticket]:
    """Every ticket of this customer (also those staff opened for them)."""
    return Ticket.objects.filter(customer=customer).select_related("kind").order_by("-id")


def request_of(customer: Customer, pk: int) -> Ticket | None:
    return requests(customer).filter(pk=pk).first()


def reply(
    *, customer: Customer, ticket: Ticket, text: str, files: Iterable[UploadedFile] = ()
) -> TicketComment:
    """The subscriber's reply: a public comment, with files if any; a closed request
    is reopened (``RepliesThrottled`` past the hourly limit)."""
    since = timezone.now() - timedelta(hours=1)
    recent = TicketComment.objects.filter(customer=customer, created_at__gte=since).count()
    if recent >= settings.LASTMILE.cabinet_replies_per_hour:
        raise RepliesThrottled
    return tickets.add_subscriber_reply(ticket=ticket, customer=customer, text=text, files=files)


def public_comments(ticket: Ticket) -> QuerySet[TicketComment]:
    """What the subscriber reads of a ticket: public comments only (staff
    comments are internal unless staff ticked "visible to the subscriber")."""
    return (
        TicketComment.objects.public()
        .filter(ticket=ticket)
        .select_related("author", "customer")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def attachment_of(customer: Customer, pk: int) -> TicketAttachment | None:
    """A file the customer may download: on a public comment of their own ticket
    (internal comments' files never; another customer's: None, so a 404)."""
    return (
        TicketAttachment.objects.filter(comment__is_public=True, comment__ticket__customer=customer)
        .filter(pk=pk)
        .first()
    )


def subject_and_body(ticket: Ticket) -> tuple[str, str]:
    first, _sep, rest = ticket.description.partition("\n")
    return first.strip(), rest.strip()
