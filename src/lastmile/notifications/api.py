"""REST endpoints of notifications: delivery log, resend, templates, Telegram codes."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from lastmile.accounts.models import staff_user
from lastmile.core.errors import DomainError
from lastmile.customers.models import Customer
from lastmile.notifications import services, telegram
from lastmile.notifications.filtersets import OutboxFilterSet
from lastmile.notifications.models import NotificationTemplate, Outbox

router = Router(tags=["notifications"])


class OutboxOut(Schema):
    id: int
    channel: str
    recipient: str
    event: str
    language: str
    subject: str
    body: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    dedup_key: str
    customer_id: int | None
    staff_user_id: int | None
    created_at: datetime
    sent_at: datetime | None


class OutboxFilters(Schema):
    state: list[str] | None = None
    channel: str | None = None
    event: str | None = None
    customer: int | None = None
    q: str | None = None


class TemplateIn(Schema):
    event: str
    language: str = Field(pattern="^(en|ru)$")
    channel: str = ""
    subject: str = Field("", max_length=255)
    body: str = Field(min_length=1)
    is_active: bool = True


class TemplateOut(TemplateIn):
    id: int
    updated_at: datetime


class PreviewIn(Schema):
    event: str
    subject: str = ""
    body: str


class PreviewOut(Schema):
    subject: str
    text: str


class LinkCodeOut(Schema):
    code: str
    expires_at: datetime
    deep_link: str


@router.get("/outbox", response=list[OutboxOut])
@paginate
def list_outbox(request: HttpRequest, filters: Query[OutboxFilters]) -> object:
    data: dict[str, Any] = {k: v for k, v in filters.dict().items() if v not in (None, [])}
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = str(value)
    return OutboxFilterSet(query, queryset=Outbox.objects.restrict(request.user, "view")).qs


@router.get("/outbox/{outbox_id}", response=OutboxOut)
def get_outbox(request: HttpRequest, outbox_id: int) -> object:
    return get_object_or_404(Outbox.objects.restrict(request.user, "view"), pk=outbox_id)


@router.post("/outbox/{outbox_id}/resend", response=OutboxOut)
def resend(request: HttpRequest, outbox_id: int) -> object:
    row = get_object_or_404(Outbox.objects.restrict(request.user, "change"), pk=outbox_id)
    return services.resend(outbox=row, actor=staff_user(request))


@router.get("/templates", response=list[TemplateOut])
def list_templates(request: HttpRequest) -> object:
    return NotificationTemplate.objects.restrict(request.user, "view")


@router.post("/templates/preview", response=PreviewOut)
def preview(request: HttpRequest, payload: PreviewIn) -> dict[str, str]:
    """Render a template text with the event's sample data (nothing is saved or sent)."""
    subject, text = services.preview_template(
        event=payload.event, subject=payload.subject, body=payload.body
    )
    return {"subject": subject, "text": text}


@router.put("/templates/{template_id}", response=TemplateOut)
def update_template(request: HttpRequest, template_id: int, payload: TemplateIn) -> object:
    template = get_object_or_404(
        NotificationTemplate.objects.restrict(request.user, "change"), pk=template_id
    )
    for key, value in payload.dict().items():
        setattr(template, key, value)
    try:
        return services.save_template(template=template, actor=staff_user(request))
    except IntegrityError as exc:
        raise DomainError(
            "A template for this event, language and channel exists.", status=409
        ) from exc


@router.post("/customers/{customer_id}/telegram-code", response=LinkCodeOut)
def telegram_code(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    """A one-time code the subscriber sends to the bot as ``/start CODE``."""
    customer = get_object_or_404(Customer.objects.restrict(request.user, "change"), pk=customer_id)
    if customer is None:
        raise PermissionDenied
    code = telegram.issue_link_code(customer=customer)
    return {"code": code.code, "expires_at": code.expires_at, "deep_link": telegram.deep_link(code)}
