"""``/api/v1/me``: paying online, my payments with their receipts, the
statement of a period as JSON, CSV or PDF, and the messages sent to me; the same services, queries and
documents as the cabinet's pages (``cabinet.payments``, ``cabinet.queries``,
``cabinet.documents``).  Another customer's payment answers 404.

One router for everything under ``/payments``: two routers on one path would
each answer 405 to the other's method."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Path, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from lastmile.cabinet import documents, payments, queries
from lastmile.cabinet.auth import cabinet_auth, request_customer
from lastmile.cabinet.errors import PeriodInvalid
from lastmile.cabinet.schemas import Pages, PaymentIn, PaymentOut, PaymentStartOut, StatementOut
from lastmile.core.errors import DomainError
from lastmile.finance.money import to_money

router = Router(tags=["cabinet"], auth=cabinet_auth)

PaymentId = Annotated[int, Path(ge=1, le=2**63 - 1)]

# The API's names of the period's ends (the page's form says start and end).
_PARAM = {"start": "date_from", "end": "date_to"}


def _file(content_type: str) -> dict[str, Any]:
    return {"responses": {200: {"description": "A file.", "content": {content_type: {}}}}}


class PeriodIn(Schema):
    date_from: date | None = None
    date_to: date | None = None


def _statement(request: HttpRequest, period: PeriodIn) -> queries.Statement:
    """The statement of the asked period (this month so far by default)."""
    first, today = queries.default_statement_period()
    start, end = period.date_from or first, period.date_to or today
    try:
        queries.check_statement_period(start, end)
    except PeriodInvalid as exc:
        raise PeriodInvalid(str(exc), field=_PARAM.get(exc.field, exc.field)) from exc
    return queries.statement(request_customer(request), start, end)


class MessageOut(Schema):
    id: int
    event: str
    channel: str
    subject: str
    body: str
    sent_at: datetime


@router.get("/messages", response=list[MessageOut])
@paginate(Pages)
def message_list(request: HttpRequest) -> Any:
    """What was sent to me (e-mail, Telegram, SMS), newest first, one entry per
    notice; one-time codes are not listed."""
    return queries.messages(request_customer(request))


@router.post("/payments", response={201: PaymentStartOut})
def start_payment(request: HttpRequest, payload: PaymentIn) -> Status[dict[str, str]]:
    """Start an online card payment; open the returned page to pay."""
    amount: Decimal = to_money(payload.amount)
    if amount <= 0:
        raise DomainError("The amount must be positive.", status=422)
    url = payments.start(customer=request_customer(request), amount=amount)
    return Status(201, {"url": request.build_absolute_uri(url)})


@router.get("/payments", response=list[PaymentOut])
@paginate(Pages)
def payment_list(request: HttpRequest) -> Any:
    """My payments, newest first; a reversed one says so in ``state``."""
    return queries.payments(request_customer(request))


@router.get(
    "/payments/{payment_id}/receipt.pdf",
    response={200: None},
    openapi_extra=_file("application/pdf"),
)
def payment_receipt(request: HttpRequest, payment_id: PaymentId) -> HttpResponse:
    """The receipt of one of my payments (the cashier's receipt)."""
    payment = queries.payment_of(request_customer(request), payment_id)
    if payment is None:
        raise Http404
    return documents.receipt_pdf(payment, request)


@router.get("/statement", response=StatementOut)
def statement(request: HttpRequest, period: Query[PeriodIn]) -> queries.Statement:
    """Opening balance, every ledger entry and the closing balance of a period
    (at most a year, ends included; local days)."""
    return _statement(request, period)


@router.get("/statement.csv", response={200: None}, openapi_extra=_file("text/csv"))
def statement_csv(request: HttpRequest, period: Query[PeriodIn]) -> HttpResponse:
    """The statement as CSV (UTF-8 with a BOM, plain numbers)."""
    return documents.statement_csv(_statement(request, period))


@router.get("/statement.pdf", response={200: None}, openapi_extra=_file("application/pdf"))
def statement_pdf(request: HttpRequest, period: Query[PeriodIn]) -> HttpResponse:
    """The statement as a PDF."""
    return documents.statement_pdf(request_customer(request), _statement(request, period), request)
