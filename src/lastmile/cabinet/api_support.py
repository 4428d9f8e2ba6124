"""``/api/v1/me/support``: the subscriber's support requests and their replies,
through ``cabinet.support`` (the same limits and tickets as the cabinet page).
Another customer's request or file answers 404.

Opening a request and replying take JSON, or a multipart form with the same
fields and any number of ``files`` (the ticket attachments' limits)."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import pydantic
from django.core.exceptions import SuspiciousOperation
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest
from django.http.multipartparser import MultiPartParserError
from ninja import Path, Router, Schema
from ninja.errors import HttpError, ValidationError
from ninja.pagination import paginate
from ninja.responses import Status

from lastmile.cabinet import services, support
from lastmile.cabinet.auth import cabinet_auth, request_customer
from lastmile.cabinet.schemas import (
    Pages,
    SupportKindOut,
    SupportReplyFormIn,
    SupportReplyIn,
    SupportReplyOut,
    SupportRequestDetailOut,
    SupportRequestIn,
    SupportRequestOut,
)
from lastmile.customers.models import Customer
from lastmile.tickets.downloads import file_response
from lastmile.tickets.models import Ticket, TicketComment

router = Router(tags=["cabinet"], auth=cabinet_auth)

RequestId = Annotated[int, Path(ge=1, le=2**63 - 1)]
AttachmentId = Annotated[int, Path(ge=1, le=2**63 - 1)]
_MULTIPART = "multipart/form-data"
S = TypeVar("S", bound=Schema)


def _request_of(customer: Customer, request_id: int) -> Ticket:
    ticket = support.request_of(customer, request_id)
    if ticket is None:
        raise Http404
    return ticket


def _submission(
    request: HttpRequest, json_schema: type[S], form_schema: type[Schema] | None = None
) -> tuple[Any, list[UploadedFile]]:
    """The body as ``json_schema`` (JSON), or as ``form_schema`` and the ``files``
    (multipart); 422 naming the field when it does not fit."""
    try:
        if request.content_type == _MULTIPART:
            data = _form_fields(request)
            if any("\x00" in (value or "") for value in data.values()):
                raise ValidationError(
                    [{"loc": ("form",), "msg": "NUL characters (U+0000) cannot be stored"}]
                )
            schema = form_schema or json_schema
            return schema.model_validate(data), request.FILES.getlist("files")
        return json_schema.model_validate_json(request.body or b"{}"), []
    except pydantic.ValidationError as exc:
        where = "form" if request.content_type == _MULTIPART else "body"
        errors = [{**e, "loc": (where, *e["loc"])} for e in exc.errors(include_url=False)]
        raise ValidationError(errors) from None


def _form_fields(request: HttpRequest) -> dict[str, str | None]:
    """The text fields of a multipart body; 400 for a broken or oversized one."""
    try:
        return {key: request.POST.get(key) for key in request.POST}
    except (MultiPartParserError, SuspiciousOperation) as exc:
        raise HttpError(400, f"The multipart form could not be read: {exc}") from None


def _body(schema: type[Schema], form_schema: type[Schema] | None = None) -> dict[str, Any]:
    """The request body of the OpenAPI document: JSON, or the form with files."""
    form = (form_schema or schema).model_json_schema()
    form_properties = {
        **form.get("properties", {}),
        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema.model_json_schema()},
                _MULTIPART: {
                    "schema": {
                        "type": "object",
                        "properties": form_properties,
                        "required": form.get("required", []),
                    }
                },
            },
        }
    }


@router.get("/support/kinds", response=list[SupportKindOut])
def support_kinds(request: HttpRequest) -> Any:
    """The categories a request may have (``kind`` of POST /me/support)."""
    return support.categories()


@router.get("/support", response=list[SupportRequestOut])
@paginate(Pages)
def support_requests(request: HttpRequest) -> Any:
    """My requests, newest first (also those staff opened for me)."""
    return support.requests(request_customer(request))


@router.post(
    "/support", response={201: SupportRequestDetailOut}, openapi_extra=_body(SupportRequestIn)
)
def open_support_request(request: HttpRequest) -> Status[Ticket]:
    """Open a request, as JSON or as a multipart form with ``files`` (at most
    LASTMILE_CABINET_REQUESTS_PER_HOUR an hour: 429)."""
    customer = request_customer(request)
    payload, files = _submission(request, SupportRequestIn)
    kind = support.category(payload.kind) if payload.kind else None
    with services.acting_customer(customer, request):
        ticket = support.open_request(
            customer=customer,
            subject=payload.subject,
            message=payload.text,
            kind=kind,
            files=files,
        )
    return Status(201, _request_of(customer, ticket.pk))


@router.get("/support/{request_id}", response=SupportRequestDetailOut)
def support_request(request: HttpRequest, request_id: RequestId) -> Ticket:
    """One of my requests with its public replies."""
    return _request_of(request_customer(request), request_id)


@router.post(
    "/support/{request_id}/replies",
    response={201: SupportReplyOut},
    openapi_extra=_body(SupportReplyIn, SupportReplyFormIn),
)
def reply_to_support_request(request: HttpRequest, request_id: RequestId) -> Status[TicketComment]:
    """Reply to one of my requests, as JSON or as a multipart form with ``files``
    (then the text may be left out); a closed one opens again (at most
    LASTMILE_CABINET_REPLIES_PER_HOUR an hour: 429)."""
    customer = request_customer(request)
    ticket = _request_of(customer, request_id)
    payload, files = _submission(request, SupportReplyIn, SupportReplyFormIn)
    with services.acting_customer(customer, request):
        comment = support.reply(customer=customer, ticket=ticket, text=payload.text, files=files)
    return Status(201, comment)


@router.get(
    "/support/files/{attachment_id}",
    response={200: None},
    url_name="support_attachment",
    openapi_extra={
        "responses": {200: {"description": "A file.", "content": {"application/octet-stream": {}}}}
    },
)
def support_attachment(request: HttpRequest, attachment_id: AttachmentId) -> FileResponse:
    """A file of a reply on one of my requests (404 for any other)."""
    attachment = support.attachment_of(request_customer(request), attachment_id)
    if attachment is None:
        raise Http404
    return file_response(attachment)
