"""Support requests of the subscriber: a ticket opened through the tickets app's
service, at most LASTMILE_CABINET_REQUESTS_PER_HOUR an hour, and the customer's
own tickets with their state and the staff's comments."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from lastmile.cabinet.errors import RepliesThrottled, RequestsThrottled, UnknownRequestKind
from lastmile.customers.models import Customer
from lastmile.tickets import subscriber as tickets
from lastmile.tickets.models import Ticket, TicketComment, TicketKind


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
    *, customer: Customer, subject: str, message: str, kind: TicketKind | None = None
) -> Ticket:
    """Open a ticket for the customer; ``RequestsThrottled`` past the hourly limit."""
    since = timezone.now() - timedelta(hours=1)
    recent = Ticket.objects.filter(
        customer=customer, author__username=tickets.CABINET_AUTHOR, created_at__gte=since
    ).count()
    if recent >= settings.LASTMILE.cabinet_requests_per_hour:
        raise RequestsThrottled
    return tickets.open_subscriber_request(
        customer=customer, subject=subject, message=message, kind=kind
    )


def requests(customer: Customer) -> QuerySet[Ticket]:
    """Every ticket of this customer (also those staff opened for them)."""
    return Ticket.objects.filter(customer=customer).select_related("kind").order_by("-id")


def request_of(customer: Customer, pk: int) -> Ticket | None:
    return requests(customer).filter(pk=pk).first()


def reply(*, customer: Customer, ticket: Ticket, text: str) -> TicketComment:
    """The subscriber's reply: a public comment; a closed request is reopened
    (``RequestsThrottled`` past the hourly limit, counted with new requests)."""
    since = timezone.now() - timedelta(hours=1)
    recent = TicketComment.objects.filter(customer=customer, created_at__gte=since).count()
    if recent >= settings.LASTMILE.cabinet_replies_per_hour:
        raise RepliesThrottled
    return tickets.add_subscriber_reply(ticket=ticket, customer=customer, text=text)


def public_comments(ticket: Ticket) -> QuerySet[TicketComment]:
    """What the subscriber reads of a ticket: public comments only (staff
    comments are internal unless staff ticked "visible to the subscriber")."""
    return (
        TicketComment.objects.public()
        .filter(ticket=ticket)
        .select_related("author", "customer")
        .order_by("created_at", "id")
    )


def subject_and_body(ticket: Ticket) -> tuple[str, str]:
    first, _sep, rest = ticket.description.partition("\n")
    return first.strip(), rest.strip()
