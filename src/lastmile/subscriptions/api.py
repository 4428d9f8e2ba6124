"""REST endpoints of tariffs and subscriptions (the same services as the staff pages)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from lastmile.accounts.permissions import require_model_permission
from lastmile.api.money import MoneyIn, MoneyOut
from lastmile.api.schemas import ObjectId, PositiveInt32
from lastmile.customers.models import Customer
from lastmile.subscriptions import catalogue, services
from lastmile.subscriptions.billing import run_billing
from lastmile.subscriptions.models import BillingRun, Subscription, Tariff

router = Router(tags=["subscriptions"])


class TariffSummaryOut(Schema):
    """What anyone who may see a tariff sees (the subscriber's cabinet too)."""

    id: int
    name: str
    description: str
    price: MoneyOut
    period_kind: str
    period_days: int | None
    rate_down_kbps: int
    rate_up_kbps: int


class TariffOut(TariffSummaryOut):
    """The staff's view: bursts, visibility and the customer groups."""

    burst_down_kbps: int | None
    burst_up_kbps: int | None
    is_public: bool
    is_active: bool
    group_ids: list[int]

    @staticmethod
    def resolve_group_ids(obj: Tariff) -> list[int]:
        return [g.pk for g in obj.groups.all()]


class TariffIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    price: MoneyIn
    period_kind: str = Field("month", pattern="^(month|days)$")
    period_days: int | None = Field(None, ge=1, le=3650)
    rate_down_kbps: PositiveInt32
    rate_up_kbps: PositiveInt32
    burst_down_kbps: PositiveInt32 | None = None
    burst_up_kbps: PositiveInt32 | None = None
    is_public: bool = False
    is_active: bool = True
    group_ids: list[ObjectId] = Field(default_factory=list, max_length=1000)


class SubscriptionOut(Schema):
    id: int
    customer_id: int
    tariff_id: int
    tariff_name: str = Field(alias="tariff.name")
    price: MoneyOut
    state: str
    auto_renew: bool
    period_start: datetime | None
    period_end: datetime | None
    ended_at: datetime | None
    end_reason: str


class PurchaseIn(Schema):
    tariff_id: int
    auto_renew: bool = True


class PreviewOut(Schema):
    tariff_id: int
    charge: MoneyOut
    refund: MoneyOut
    balance: MoneyOut
    balance_after: MoneyOut
    can_afford: bool
    period_start: datetime
    period_end: datetime


class TerminateOut(Schema):
    refund: MoneyOut


class AutoRenewIn(Schema):
    auto_renew: bool


class BillingRunOut(Schema):
    id: int
    at: datetime
    renewed: int
    expired: int
    preorders_applied: int
    fees_charged: int
    total_charged: MoneyOut


def _customer(request: HttpRequest, customer_id: int, action: str = "view") -> Customer:
    return get_object_or_404(Customer.objects.restrict(request.user, action), pk=customer_id)


@router.get("/tariffs", response=list[TariffOut])
@paginate
def list_tariffs(request: HttpRequest, active: bool | None = None) -> object:
    queryset = (
        Tariff.objects.restrict(request.user, "view")
        .prefetch_related("groups")
        .order_by("price", "name")
    )
    return queryset if active is None else queryset.filter(is_active=active)


def _save_tariff(request: HttpRequest, tariff: Tariff, payload: TariffIn) -> Tariff:
    data = payload.dict()
    groups = data.pop("group_ids")
    return catalogue.save_tariff(tariff=tariff, values=data, groups=groups, actor=request.user)


@router.post("/tariffs", response={201: TariffOut})
def create_tariff(request: HttpRequest, payload: TariffIn) -> Status[Tariff]:
    require_model_permission(request.user, Tariff, "add")
    return Status(201, _save_tariff(request, Tariff(), payload))


@router.put("/tariffs/{tariff_id}", response=TariffOut)
def update_tariff(request: HttpRequest, tariff_id: int, payload: TariffIn) -> Tariff:
    tariff = get_object_or_404(Tariff.objects.restrict(request.user, "change"), pk=tariff_id)
    return _save_tariff(request, tariff, payload)


@router.get("/customers/{customer_id}/subscriptions", response=list[SubscriptionOut])
def customer_subscriptions(request: HttpRequest, customer_id: int) -> object:
    customer = _customer(request, customer_id)
    return Subscription.objects.filter(customer=customer).select_related("tariff").order_by("-id")


@router.post("/customers/{customer_id}/preview", response=PreviewOut)
def preview(request: HttpRequest, customer_id: int, payload: PurchaseIn) -> dict[str, object]:
    customer = _customer(request, customer_id)
    tariff = get_object_or_404(services.purchasable_tariffs(customer), pk=payload.tariff_id)
    result = services.preview_purchase(customer=customer, tariff=tariff)
    return {
        "tariff_id": tariff.pk,
        "charge": result.charge,
        "refund": result.refund,
        "balance": result.balance,
        "balance_after": result.balance_after,
        "can_afford": result.can_afford,
        "period_start": result.period_start,
        "period_end": result.period_end,
    }


@router.post("/customers/{customer_id}/purchase", response={201: SubscriptionOut})
def purchase(request: HttpRequest, customer_id: int, payload: PurchaseIn) -> Status[Subscription]:
    """Buy a tariff now (a tariff change when one is active: the unused part is refunded)."""
    customer = _customer(request, customer_id)
    require_model_permission(request.user, Subscription, "add")
    tariff = get_object_or_404(Tariff, pk=payload.tariff_id)
    subscription = services.buy_tariff(
        customer=customer, tariff=tariff, actor=request.user, auto_renew=payload.auto_renew
    )
    return Status(201, subscription)


@router.post("/customers/{customer_id}/preorder", response={201: SubscriptionOut})
def preorder(request: HttpRequest, customer_id: int, payload: PurchaseIn) -> Status[Subscription]:
    customer = _customer(request, customer_id)
    require_model_permission(request.user, Subscription, "add")
    tariff = get_object_or_404(Tariff, pk=payload.tariff_id)
    subscription = services.preorder_tariff(
        customer=customer, tariff=tariff, actor=request.user, auto_renew=payload.auto_renew
    )
    return Status(201, subscription)


def _subscription(request: HttpRequest, subscription_id: int) -> Subscription:
    subscription = get_object_or_404(
        Subscription.objects.select_related("customer"), pk=subscription_id
    )
    _customer(request, subscription.customer_id)
    return subscription


@router.post("/subscriptions/{subscription_id}/terminate", response=TerminateOut)
def terminate(request: HttpRequest, subscription_id: int) -> dict[str, object]:
    subscription = _subscription(request, subscription_id)
    require_model_permission(request.user, Subscription, "change")
    refund = services.terminate_subscription(subscription=subscription, actor=request.user)
    return {"refund": refund}


@router.patch("/subscriptions/{subscription_id}", response=SubscriptionOut)
def set_auto_renew(
    request: HttpRequest, subscription_id: int, payload: AutoRenewIn
) -> Subscription:
    subscription = _subscription(request, subscription_id)
    require_model_permission(request.user, Subscription, "change")
    return services.set_auto_renew(
        subscription=subscription, auto_renew=payload.auto_renew, actor=request.user
    )


@router.get("/billing-runs", response=list[BillingRunOut])
@paginate
def billing_runs(request: HttpRequest) -> object:
    require_model_permission(request.user, BillingRun, "view")
    return BillingRun.objects.order_by("-id")


@router.post("/billing-runs", response={201: BillingRunOut})
def start_billing_run(request: HttpRequest) -> Status[BillingRun]:
    require_model_permission(request.user, BillingRun, "add")
    return Status(201, run_billing())
