"""``/api/v1/me/``: the subscriber's own REST API (mobile app, cabinet pages).

Every endpoint works on the authenticated customer only; there is no
customer id in any path, and tariff or token ids outside the customer's
reach answer 404.  The same services as the cabinet pages and staff pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Path, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from lastmile.api.money import MoneyOut
from lastmile.cabinet import (
    api_contacts,
    api_documents,
    api_password,
    api_support,
    queries,
    services,
)
from lastmile.cabinet.auth import cabinet_auth, request_customer
from lastmile.cabinet.models import CabinetToken
from lastmile.cabinet.schemas import Id, LedgerEntryOut, Pages
from lastmile.cabinet.session import refresh_fingerprint
from lastmile.core.errors import DomainError
from lastmile.customers.models import Customer
from lastmile.subscriptions import promised
from lastmile.subscriptions import services as subscriptions
from lastmile.subscriptions.api import TariffSummaryOut as TariffOut
from lastmile.subscriptions.models import Subscription, Tariff

router = Router(tags=["cabinet"], auth=cabinet_auth)
router.add_router("", api_support.router)
router.add_router("", api_documents.router)
router.add_router("", api_contacts.router)
router.add_router("", api_password.router)

_me = request_customer


# --- schemas ---------------------------------------------------------------------
class MeOut(Schema):
    id: int
    login: str
    contract_number: str
    full_name: str
    email: str
    phones: list[str]
    address: str
    is_active: bool


class AccountOut(Schema):
    balance: MoneyOut
    credit_limit: MoneyOut
    credit_until: datetime | None
    available: MoneyOut
    is_promised_payment: bool
    promised_payment_offered: bool


class SubscriptionOut(Schema):
    id: int
    tariff_id: int
    tariff_name: str
    price: MoneyOut
    state: str
    auto_renew: bool
    period_start: datetime | None
    period_end: datetime | None
    ended_at: datetime | None

    @staticmethod
    def resolve_tariff_name(obj: Subscription) -> str:
        return obj.tariff.name


class CurrentOut(Schema):
    current: SubscriptionOut | None
    preorder: SubscriptionOut | None


class PreviewOut(Schema):
    tariff_id: int
    charge: MoneyOut
    refund: MoneyOut
    balance: MoneyOut
    available: MoneyOut
    balance_after: MoneyOut
    can_afford: bool
    period_start: datetime
    period_end: datetime


class TariffChoiceIn(Schema):
    tariff_id: Id
    auto_renew: bool = True


class AutoRenewIn(Schema):
    auto_renew: bool


class SessionOut(Schema):
    id: int
    started_at: datetime
    stopped_at: datetime | None
    address: str | None
    mac: str
    session_time_s: int
    octets_in: int
    octets_out: int


class LeaseOut(Schema):
    address: str
    kind: str
    mac: str
    started_at: datetime
    expires_at: datetime | None


class PasswordIn(Schema):
    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


class TokenIn(Schema):
    login: str = Field(min_length=1, max_length=150)
    password: str = Field(max_length=256)
    name: str = Field("", max_length=100)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret: shown once, send it as 'Bearer <token>'.")


# --- tokens ----------------------------------------------------------------------
@router.post("/tokens", auth=None, response={201: TokenCreatedOut})
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]] | HttpResponse:
    """Log in with the login (or contract number) and cabinet password; get a token.
    Failed attempts are throttled like the login page (429 with Retry-After)."""
    customer = services.authenticate_customer(
        login=payload.login, password=payload.password, request=request, via="api"
    )
    token, raw = services.create_token(customer=customer, name=payload.name)
    data = TokenOut.from_orm(token).dict()
    return Status(201, {**data, "token": raw})


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> Any:
    return CabinetToken.objects.filter(customer=_me(request))


@router.delete("/tokens/{token_id}", response=TokenOut)
def revoke_token(request: HttpRequest, token_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> Any:
    """Revoke one of my tokens (another customer's id: 404)."""
    token = services.revoke_token(customer=_me(request), token_id=token_id)
    if token is None:
        raise DomainError("Not found, or you are not allowed to see it.", status=404)
    return token


# --- reading ---------------------------------------------------------------------
@router.get("", response=MeOut)
def me(request: HttpRequest) -> Customer:
    return _me(request)


@router.get("/account", response=AccountOut)
def account(request: HttpRequest) -> Any:
    return queries.account_summary(_me(request))


@router.get("/ledger", response=list[LedgerEntryOut])
@paginate(Pages)
def ledger(request: HttpRequest) -> Any:
    return queries.ledger(_me(request))


@router.get("/subscriptions", response=list[SubscriptionOut])
@paginate(Pages)
def subscription_list(request: HttpRequest) -> Any:
    return queries.subscriptions(_me(request))


@router.get("/subscription", response=CurrentOut)
def current(request: HttpRequest) -> dict[str, Any]:
    customer = _me(request)
    return {
        "current": subscriptions.current_subscription(customer.pk),
        "preorder": subscriptions.pending_preorder(customer.pk),
    }


@router.get("/tariffs", response=list[TariffOut])
def tariffs(request: HttpRequest) -> Any:
    """Tariffs my group may buy."""
    return subscriptions.purchasable_tariffs(_me(request)).order_by("price", "name")


@router.get("/sessions", response=list[SessionOut])
@paginate(Pages)
def session_list(request: HttpRequest) -> Any:
    return queries.sessions(_me(request))


@router.get("/leases", response=list[LeaseOut])
def lease_list(request: HttpRequest) -> Any:
    return queries.active_leases(_me(request))


# --- actions ---------------------------------------------------------------------
def _tariff(customer: Customer, tariff_id: int) -> Tariff:
    return get_object_or_404(subscriptions.purchasable_tariffs(customer), pk=tariff_id)


@router.post("/preview", response=PreviewOut)
def preview(request: HttpRequest, payload: TariffChoiceIn) -> dict[str, Any]:
    """What buying a tariff now would charge and refund (nothing changes)."""
    customer = _me(request)
    tariff = _tariff(customer, payload.tariff_id)
    result = subscriptions.preview_purchase(customer=customer, tariff=tariff)
    return {
        "tariff_id": tariff.pk,
        "charge": result.charge,
        "refund": result.refund,
        "balance": result.balance,
        "available": result.available,
        "balance_after": result.balance_after,
        "can_afford": result.can_afford,
        "period_start": result.period_start,
        "period_end": result.period_end,
    }


@router.post("/purchase", response={201: SubscriptionOut})
def purchase(request: HttpRequest, payload: TariffChoiceIn) -> Status[Subscription]:
    """Buy a tariff now; with one active this is a change (unused part refunded)."""
    customer = _me(request)
    tariff = _tariff(customer, payload.tariff_id)
    with services.acting_customer(customer, request):
        subscription = subscriptions.buy_tariff(
            customer=customer,
            tariff=tariff,
            actor_label=services.actor_label(customer),
            auto_renew=payload.auto_renew,
        )
    return Status(201, subscription)


@router.post("/preorder", response={201: SubscriptionOut})
def preorder(request: HttpRequest, payload: TariffChoiceIn) -> Status[Subscription]:
    """Order the next tariff, to start when the current period ends."""
    customer = _me(request)
    tariff = _tariff(customer, payload.tariff_id)
    with services.acting_customer(customer, request):
        subscription = subscriptions.preorder_tariff(
            customer=customer,
            tariff=tariff,
            actor_label=services.actor_label(customer),
            auto_renew=payload.auto_renew,
        )
    return Status(201, subscription)


@router.delete("/preorder", response={204: None})
def cancel_preorder(request: HttpRequest) -> Status[None]:
    customer = _me(request)
    waiting = subscriptions.pending_preorder(customer.pk)
    if waiting is None:
        raise DomainError("There is no pre-order.", status=404)
    with services.acting_customer(customer, request):
        subscriptions.terminate_subscription(
            subscription=waiting, actor_label=services.actor_label(customer)
        )
    return Status(204, None)


@router.post("/auto-renew", response=SubscriptionOut)
def auto_renew(request: HttpRequest, payload: AutoRenewIn) -> Subscription:
    customer = _me(request)
    current_sub = subscriptions.current_subscription(customer.pk)
    if current_sub is None:
        raise DomainError("There is no active tariff.", status=404)
    with services.acting_customer(customer, request):
        return subscriptions.set_auto_renew(subscription=current_sub, auto_renew=payload.auto_renew)


@router.post("/promised-payment", response=AccountOut)
def promised_payment(request: HttpRequest) -> Any:
    """Take a promised payment (temporary credit), if the rules allow it now."""
    customer = _me(request)
    with services.acting_customer(customer, request):
        promised.take_promised_payment(customer_id=customer.pk)
    return queries.account_summary(customer)


@router.post("/password", response={204: None})
def change_password(request: HttpRequest, payload: PasswordIn) -> Status[None]:
    """Change my cabinet password; other sessions end and other tokens are revoked."""
    customer = _me(request)
    services.change_password(
        customer=customer,
        current=payload.current_password,
        new=payload.new_password,
        request=request,
        keep_token=getattr(request, "cabinet_token", None),
    )
    refresh_fingerprint(request, customer)
    return Status(204, None)
