"""REST endpoints of the ledger (the same services as the staff pages).

No ``from __future__ import annotations`` here: django-ninja reads the
``Query[...]`` parameter annotations at run time.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from lastmile.accounts.permissions import require_model_permission
from lastmile.api.money import MoneyIn, MoneyOut
from lastmile.customers.models import Customer
from lastmile.finance import services
from lastmile.finance.models import Account, LedgerEntry, Payment

router = Router(tags=["finance"])


class AccountOut(Schema):
    customer_id: int
    balance: MoneyOut
    credit_limit: MoneyOut
    credit_until: datetime | None
    available: MoneyOut


class EntryOut(Schema):
    id: int
    created_at: datetime
    kind: str
    amount: MoneyOut
    balance_before: MoneyOut
    balance_after: MoneyOut
    reason: str
    actor_label: str
    subscription_id: int | None
    payment_id: int | None


class PaymentIn(Schema):
    amount: MoneyIn
    external_id: str = Field(
        min_length=1,
        max_length=90,
        description="Your idempotency key: repeating a request with the same key records nothing new.",
    )
    receipt_number: str = Field("", max_length=64)
    comment: str = ""


class PaymentOut(Schema):
    id: int
    customer_id: int = Field(alias="account_id")
    amount: MoneyOut
    gateway: str
    external_id: str
    receipt_number: str
    state: str
    paid_at: datetime


class CorrectionIn(Schema):
    amount: MoneyIn
    reason: str = Field(min_length=1)
    idempotency_key: str = Field(min_length=1, max_length=90)


class CreditIn(Schema):
    credit_limit: MoneyIn
    credit_until: datetime | None = None


class LedgerFilter(Schema):
    since: date | None = None
    until: date | None = None
    kind: str | None = None


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    return get_object_or_404(Customer.objects.restrict(request.user, "view"), pk=customer_id)


def _account_out(account: Account) -> dict[str, object]:
    return {
        "customer_id": account.pk,
        "balance": account.balance,
        "credit_limit": account.credit_limit,
        "credit_until": account.credit_until,
        "available": services.available_funds(account),
    }


@router.get("/customers/{customer_id}/account", response=AccountOut)
def get_account(request: HttpRequest, customer_id: int) -> dict[str, object]:
    customer = _customer(request, customer_id)
    account = Account.objects.filter(pk=customer.pk).first() or Account(customer=customer)
    return _account_out(account)


@router.get("/customers/{customer_id}/ledger", response=list[EntryOut])
@paginate
def customer_ledger(request: HttpRequest, customer_id: int, filters: Query[LedgerFilter]) -> object:
    customer = _customer(request, customer_id)
    entries = LedgerEntry.objects.restrict(request.user, "view").filter(account_id=customer.pk)
    return _filtered(entries, filters).order_by("-id")


def _filtered(queryset, filters: LedgerFilter):  # type: ignore[no-untyped-def]
    if filters.since:
        queryset = queryset.filter(created_at__date__gte=filters.since)
    if filters.until:
        queryset = queryset.filter(created_at__date__lte=filters.until)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    return queryset


@router.post("/customers/{customer_id}/payments", response={200: PaymentOut, 201: PaymentOut})
def create_payment(request: HttpRequest, customer_id: int, payload: PaymentIn) -> Status[Payment]:
    """A cashier's payment.  Idempotent per ``external_id``: a repeat answers 200
    with the first payment and credits nothing."""
    customer = _customer(request, customer_id)
    require_model_permission(request.user, Payment, "add")
    result = services.record_payment(
        customer_id=customer.pk,
        amount=payload.amount,
        gateway="api",
        external_id=payload.external_id,
        receipt_number=payload.receipt_number,
        comment=payload.comment,
        actor=request.user,
    )
    return Status(201 if result.created else 200, result.payment)


@router.post("/customers/{customer_id}/corrections", response={201: EntryOut})
def create_correction(
    request: HttpRequest, customer_id: int, payload: CorrectionIn
) -> Status[LedgerEntry]:
    customer = _customer(request, customer_id)
    require_model_permission(request.user, LedgerEntry, "add")
    entry = services.correct_balance(
        customer_id=customer.pk,
        amount=payload.amount,
        reason=payload.reason,
        actor=request.user,
        idempotency_key=payload.idempotency_key,
    )
    return Status(201, entry)


@router.put("/customers/{customer_id}/credit", response=AccountOut)
def set_credit(request: HttpRequest, customer_id: int, payload: CreditIn) -> dict[str, object]:
    customer = _customer(request, customer_id)
    require_model_permission(request.user, Account, "change")
    account = services.set_credit(
        customer_id=customer.pk,
        limit=payload.credit_limit,
        until=payload.credit_until,
        actor=request.user,
    )
    return _account_out(account)


@router.get("/payments", response=list[PaymentOut])
@paginate
def list_payments(
    request: HttpRequest, gateway: str | None = None, since: date | None = None
) -> object:
    queryset = Payment.objects.restrict(request.user, "view").order_by("-paid_at", "-id")
    if gateway:
        queryset = queryset.filter(gateway=gateway)
    if since:
        queryset = queryset.filter(paid_at__date__gte=since)
    return queryset


@router.get("/ledger", response=list[EntryOut])
@paginate
def ledger(request: HttpRequest, filters: Query[LedgerFilter]) -> object:
    return _filtered(LedgerEntry.objects.restrict(request.user, "view"), filters).order_by("-id")


@router.get("/ledger/check", response=dict)
def ledger_check(request: HttpRequest) -> HttpResponse | dict[str, object]:
    """Prove every balance from its entries (what ``lastmile check-ledger`` does)."""
    if not request.user.is_superuser:
        raise PermissionDenied
    from lastmile.finance.queries import check_ledger

    accounts, problems = check_ledger()
    return {"accounts": accounts, "ok": not problems, "problems": [p.__dict__ for p in problems]}
