"""REST endpoints of tickets (used by the technicians' mobile app)."""

from datetime import datetime
from typing import Any, TypeVar

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from lastmile.accounts.models import User, staff_user
from lastmile.api.schemas import Omittable
from lastmile.core.errors import DomainError
from lastmile.customers.models import Customer
from lastmile.tickets import services
from lastmile.tickets.downloads import attachment_response
from lastmile.tickets.filtersets import TicketFilterSet
from lastmile.tickets.models import (
    Ticket,
    TicketKind,
    TicketPriority,
    TicketState,
)
from lastmile.tickets.queries import eligible_executors, visible_tickets

router = Router(tags=["tickets"])
T = TypeVar("T")


class StaffRef(Schema):
    id: int
    username: str
    full_name: str = Field(alias="get_full_name")


class KindOut(Schema):
    id: int
    code: str
    name: str
    is_active: bool


class TicketOut(Schema):
    id: int
    kind: KindOut
    priority: TicketPriority
    state: TicketState
    customer_id: int | None
    site_id: int | None
    device_id: int | None
    port_id: int | None
    description: str
    due_at: datetime | None
    author: StaffRef
    responsible: StaffRef | None
    executors: list[StaffRef]
    allowed_states: list[str]
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_executors(obj: Ticket) -> list[User]:
        return list(obj.executors.all())

    @staticmethod
    def resolve_allowed_states(obj: Ticket) -> list[str]:
        return obj.allowed_states()


class LogOut(Schema):
    id: int
    action: str
    actor_id: int | None
    actor_name: str
    from_state: str
    to_state: str
    before: dict[str, Any]
    after: dict[str, Any]
    comment: str
    created_at: datetime


class AttachmentOut(Schema):
    id: int
    name: str
    size_bytes: int
    content_type: str


class CommentOut(Schema):
    id: int
    author: StaffRef
    customer_id: int | None
    is_public: bool
    text: str
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj: Any) -> list[Any]:
        return list(obj.attachments.all())


class TicketIn(Schema):
    kind_id: int
    description: str = Field(min_length=1)
    priority: TicketPriority = TicketPriority.NORMAL
    customer_id: int | None = None
    site_id: int | None = None
    due_at: datetime | None = None
    responsible_id: int | None = None
    executor_ids: list[int] = Field(default_factory=list)
    device_id: int | None = None
    port_id: int | None = None


class TicketPatch(Schema):
    kind_id: Omittable[int] = None
    priority: Omittable[TicketPriority] = None
    description: Omittable[str] = None
    due_at: datetime | None = None
    device_id: int | None = None
    port_id: int | None = None


class AssignIn(Schema):
    responsible_id: int | None = None
    executor_ids: list[int] = Field(default_factory=list)


class TransitionIn(Schema):
    to_state: TicketState
    comment: str = ""


class TicketFilters(Schema):
    state: list[str] | None = None
    kind: list[int] | None = None
    executor: int | None = None
    site: int | None = None
    customer: int | None = None
    mine: bool | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    return get_object_or_404(Ticket.objects.restrict(request.user, "view"), pk=ticket_id)


def _staff(ids: list[int]) -> list[User]:
    users = list(User.objects.filter(pk__in=ids))
    missing = set(ids) - {u.pk for u in users}
    if missing:
        raise DomainError(
            f"Unknown staff id(s): {', '.join(map(str, sorted(missing)))}.", status=422
        )
    return users


@router.get("/ticket-kinds", response=list[KindOut])
def list_kinds(request: HttpRequest) -> object:
    return TicketKind.objects.filter(is_active=True)


@router.get("/tickets", response=list[TicketOut])
@paginate
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]) -> object:
    """Tickets you may see; your own open tickets first."""
    data = {k: v for k, v in filters.dict().items() if v not in (None, [])}
    if "due_before" in data:
        data["due_before"] = data["due_before"].isoformat()
    if "due_after" in data:
        data["due_after"] = data["due_after"].isoformat()
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            query.setlist(key, [str(v) for v in value])
        else:
            query[key] = str(value)
    filterset = TicketFilterSet(query, queryset=visible_tickets(request.user), request=request)
    if not filterset.is_valid():
        raise DomainError(f"Invalid filter: {filterset.errors.as_text()}", status=422)
    return filterset.qs


@router.get("/tickets/{ticket_id}", response=TicketOut)
def get_ticket(request: HttpRequest, ticket_id: int) -> object:
    return _ticket(request, ticket_id)


@router.post("/tickets", response={201: TicketOut})
def create_ticket(request: HttpRequest, payload: TicketIn) -> Status[Ticket]:
    kind = get_object_or_404(TicketKind, pk=payload.kind_id, is_active=True)
    customer = (
        get_object_or_404(Customer.objects.restrict(request.user, "view"), pk=payload.customer_id)
        if payload.customer_id
        else None
    )
    from lastmile.accounts.models import Site

    site = get_object_or_404(Site, pk=payload.site_id) if payload.site_id else None
    responsible = _staff([payload.responsible_id])[0] if payload.responsible_id else None
    ticket = services.create_ticket(
        actor=staff_user(request),
        kind=kind,
        description=payload.description,
        priority=payload.priority,
        customer=customer,
        site=site,
        due_at=payload.due_at,
        responsible=responsible,
        executors=_staff(payload.executor_ids),
        device_id=payload.device_id,
        port_id=payload.port_id,
    )
    return Status(201, ticket)


@router.patch("/tickets/{ticket_id}", response=TicketOut)
def update_ticket(request: HttpRequest, ticket_id: int, payload: TicketPatch) -> object:
    ticket = _ticket(request, ticket_id)
    changes = payload.dict(exclude_unset=True)
    if "kind_id" in changes:
        changes["kind"] = get_object_or_404(TicketKind, pk=changes.pop("kind_id"))
    return services.update_ticket(ticket=ticket, actor=staff_user(request), **changes)


@router.get("/tickets/{ticket_id}/executor-choices", response=list[StaffRef])
def executor_choices(request: HttpRequest, ticket_id: int) -> object:
    """Exactly the staff who can be assigned: active, and permitted on this ticket."""
    return eligible_executors(ticket=_ticket(request, ticket_id))


@router.post("/tickets/{ticket_id}/assign", response=TicketOut)
def assign(request: HttpRequest, ticket_id: int, payload: AssignIn) -> object:
    ticket = _ticket(request, ticket_id)
    responsible = _staff([payload.responsible_id])[0] if payload.responsible_id else None
    executors = _staff(payload.executor_ids)
    return services.assign_ticket(
        ticket=ticket, actor=staff_user(request), responsible=responsible, executors=executors
    )


@router.post("/tickets/{ticket_id}/transition", response=TicketOut)
def transition(request: HttpRequest, ticket_id: int, payload: TransitionIn) -> object:
    """Change the state (finishing or failing needs a comment); 409 if not allowed."""
    ticket = _ticket(request, ticket_id)
    return services.change_state(
        ticket=ticket,
        actor=staff_user(request),
        to_state=payload.to_state,
        comment=payload.comment,
    )


@router.get("/tickets/{ticket_id}/log", response=list[LogOut])
def ticket_log(request: HttpRequest, ticket_id: int) -> object:
    return _ticket(request, ticket_id).log.all()


@router.get("/tickets/{ticket_id}/comments", response=list[CommentOut])
def list_comments(request: HttpRequest, ticket_id: int) -> object:
    ticket = _ticket(request, ticket_id)
    return ticket.comments.select_related("author").prefetch_related("attachments")


@router.post("/tickets/{ticket_id}/comments", response={201: CommentOut})
def add_comment(
    request: HttpRequest,
    ticket_id: int,
    text: Form[str] = "",
    is_public: Form[bool] = False,
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[Any]:
    """A comment (multipart form: ``text``, ``is_public`` and any number of
    ``files``); internal (staff only) unless ``is_public`` is true."""
    ticket = _ticket(request, ticket_id)
    comment = services.add_comment(
        ticket=ticket,
        actor=staff_user(request),
        text=text,
        files=files or [],
        is_public=is_public,
    )
    return Status(201, comment)


@router.get("/attachments/{attachment_id}")
def download_attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    return attachment_response(request.user, attachment_id)
