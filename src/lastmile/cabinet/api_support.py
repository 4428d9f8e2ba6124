"""``/api/v1/me/support``: the subscriber's support requests and their replies,
through ``cabinet.support`` (the same limits and tickets as the cabinet page).
Another customer's request answers 404."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Path, Router
from ninja.pagination import paginate
from ninja.responses import Status

from lastmile.cabinet import services, support
from lastmile.cabinet.auth import cabinet_auth, request_customer
from lastmile.cabinet.schemas import (
    Pages,
    SupportKindOut,
    SupportReplyIn,
    SupportReplyOut,
    SupportRequestDetailOut,
    SupportRequestIn,
    SupportRequestOut,
)
from lastmile.customers.models import Customer
from lastmile.tickets.models import Ticket, TicketComment

router = Router(tags=["cabinet"], auth=cabinet_auth)

RequestId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _request_of(customer: Customer, request_id: int) -> Ticket:
    ticket = support.request_of(customer, request_id)
    if ticket is None:
        raise Http404
    return ticket


@router.get("/support/kinds", response=list[SupportKindOut])
def support_kinds(request: HttpRequest) -> Any:
    """The categories a request may have (``kind`` of POST /me/support)."""
    return support.categories()


@router.get("/support", response=list[SupportRequestOut])
@paginate(Pages)
def support_requests(request: HttpRequest) -> Any:
    """My requests, newest first (also those staff opened for me)."""
    return support.requests(request_customer(request))


@router.post("/support", response={201: SupportRequestDetailOut})
def open_support_request(request: HttpRequest, payload: SupportRequestIn) -> Status[Ticket]:
    """Open a request (at most LASTMILE_CABINET_REQUESTS_PER_HOUR an hour: 429)."""
    customer = request_customer(request)
    kind = support.category(payload.kind) if payload.kind else None
    with services.acting_customer(customer, request):
        ticket = support.open_request(
            customer=customer, subject=payload.subject, message=payload.text, kind=kind
        )
    return Status(201, _request_of(customer, ticket.pk))


@router.get("/support/{request_id}", response=SupportRequestDetailOut)
def support_request(request: HttpRequest, request_id: RequestId) -> Ticket:
    """One of my requests with its public replies."""
    return _request_of(request_customer(request), request_id)


@router.post("/support/{request_id}/replies", response={201: SupportReplyOut})
def reply_to_support_request(
    request: HttpRequest, request_id: RequestId, payload: SupportReplyIn
) -> Status[TicketComment]:
    """Reply to one of my requests; a closed one opens again (at most
    LASTMILE_CABINET_REPLIES_PER_HOUR an hour: 429)."""
    customer = request_customer(request)
    ticket = _request_of(customer, request_id)
    with services.acting_customer(customer, request):
        comment = support.reply(customer=customer, ticket=ticket, text=payload.text)
    return Status(201, comment)
