"""Schemas of ``/api/v1/me`` shared by its routers: paging, ids, the ledger
entry, and those of support requests, payments, statements and contacts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import Field, StringConstraints

from lastmile.api.money import MoneyIn, MoneyOut
from lastmile.cabinet import support
from lastmile.cabinet.models import OneTimeCode
from lastmile.cabinet.queries import Statement
from lastmile.tickets.models import Ticket, TicketAttachment, TicketComment

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]

# Text the subscriber writes: surrounding blanks go, and nothing but blanks is "missing".
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class Pages(LimitOffsetPagination):
    """Limit/offset with bounds PostgreSQL can take (no bigint overflow)."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200)
        offset: int = Field(0, ge=0, le=10**9)


class LedgerEntryOut(Schema):
    id: int
    kind: str
    amount: MoneyOut
    balance_before: MoneyOut
    balance_after: MoneyOut
    reason: str
    created_at: datetime


# --- support requests -------------------------------------------------------------
class SupportKindOut(Schema):
    code: str
    name: str


class SupportRequestIn(Schema):
    kind: str | None = Field(
        None,
        max_length=50,
        description="Code of a category from GET /me/support/kinds; none: the general one.",
    )
    subject: Subject
    text: Text


class SupportReplyIn(Schema):
    text: Text


class SupportReplyFormIn(Schema):
    """A reply as a multipart form: the text may be left out when files come."""

    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = ""


class SupportAttachmentOut(Schema):
    id: int
    name: str
    size_bytes: int
    content_type: str
    url: str = Field(description="GET it (with my token) to download the file.")

    @staticmethod
    def resolve_url(obj: TicketAttachment) -> str:
        return reverse("api:support_attachment", args=[obj.pk])


class SupportReplyOut(Schema):
    id: int
    text: str
    created_at: datetime
    is_mine: bool = Field(description="Written by me (else by the support staff).")
    author_name: str
    attachments: list[SupportAttachmentOut]

    @staticmethod
    def resolve_attachments(obj: TicketComment) -> list[TicketAttachment]:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_is_mine(obj: TicketComment) -> bool:
        return obj.customer_id is not None

    @staticmethod
    def resolve_author_name(obj: TicketComment) -> str:
        if obj.customer_id is not None:
            return ""
        return obj.author.get_full_name() or _("Support")


class SupportRequestOut(Schema):
    id: int
    subject: str
    kind: str
    kind_name: str
    state: str
    state_name: str
    is_open: bool
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_subject(obj: Ticket) -> str:
        return support.subject_and_body(obj)[0]

    @staticmethod
    def resolve_kind(obj: Ticket) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_kind_name(obj: Ticket) -> str:
        return obj.kind.name

    @staticmethod
    def resolve_state_name(obj: Ticket) -> str:
        return str(obj.get_state_display())


class SupportRequestDetailOut(SupportRequestOut):
    text: str
    replies: list[SupportReplyOut] = Field(description="Public replies, oldest first.")

    @staticmethod
    def resolve_text(obj: Ticket) -> str:
        return support.subject_and_body(obj)[1]

    @staticmethod
    def resolve_replies(obj: Ticket) -> list[TicketComment]:
        return list(support.public_comments(obj))


# --- payments and statements ------------------------------------------------------
class PaymentIn(Schema):
    amount: MoneyIn


class PaymentStartOut(Schema):
    url: str = Field(description="Open this page to pay; it returns to the cabinet.")


class PaymentOut(Schema):
    id: int
    amount: MoneyOut
    paid_at: datetime
    gateway: str
    receipt_number: str
    state: str
    reversed_at: datetime | None


class StatementOut(Schema):
    date_from: date
    date_to: date
    opening: MoneyOut
    closing: MoneyOut
    credits: MoneyOut
    debits: MoneyOut
    entries: list[LedgerEntryOut]

    @staticmethod
    def resolve_date_from(obj: Statement) -> date:
        return obj.start

    @staticmethod
    def resolve_date_to(obj: Statement) -> date:
        return obj.end


# --- contacts ---------------------------------------------------------------------
ContactKindIn = Literal["email", "phone"]


class ContactIn(Schema):
    kind: ContactKindIn
    value: str = Field(min_length=1, max_length=254, description="The new e-mail or phone.")


class CodeIn(Schema):
    code: str = Field(min_length=1, max_length=12)


class ContactCodeOut(Schema):
    kind: str
    target: str = Field(description="Where the code went; it changes when the code comes back.")
    expires_at: datetime

    @staticmethod
    def resolve_kind(obj: OneTimeCode) -> str:
        return obj.contact_kind


class ContactOut(Schema):
    kind: str
    value: str
    verified_at: datetime


class ContactStateOut(Schema):
    value: str
    is_verified: bool


class ContactsOut(Schema):
    email: ContactStateOut
    phone: ContactStateOut
    pending: ContactCodeOut | None = Field(description="A code sent and not yet entered.")
