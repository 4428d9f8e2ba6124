"""REST endpoints of the network app: pools with usage, leases, sessions, IPoE bindings.

(No ``from __future__ import annotations``: ninja reads the Query[...] types.)"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from lastmile.accounts.permissions import has_model_permission
from lastmile.api.schemas import IpAddressText
from lastmile.network import services
from lastmile.network.models import (
    AccessBinding,
    Lease,
    LeaseEndReason,
    Pool,
    Session,
    normalize_mac,
)

router = Router(tags=["network"])


class PoolOut(Schema):
    id: int
    name: str
    kind: str
    network: str
    gateway: str | None
    vlan_id: int | None
    priority: int
    is_active: bool
    size: int
    delegated_prefix_length: int | None = None
    ipv6_use: str = ""
    used: int = 0


class LeaseOut(Schema):
    id: int
    address: str
    prefix_length: int | None = None
    pool_id: int
    customer_id: int
    kind: str
    mac: str
    remote_id: str
    circuit_id: str
    nas_id: int | None
    started_at: datetime
    expires_at: datetime | None
    ended_at: datetime | None
    end_reason: str


class LeaseFilter(Schema):
    address: IpAddressText | None = None
    customer_id: int | None = None
    pool_id: int | None = None
    active: bool | None = True


class StaticIn(Schema):
    customer_id: int
    address: str
    mac: str = ""


class SessionOut(Schema):
    id: int
    nas_id: int
    acct_session_id: str
    customer_id: int | None
    login: str
    address: str | None
    mac: str
    started_at: datetime
    updated_at: datetime
    stopped_at: datetime | None
    octets_in: int
    octets_out: int
    terminate_cause: str
    coa_kind: str
    coa_result: str
    coa_at: datetime | None


class SessionFilter(Schema):
    customer_id: int | None = None
    nas_id: int | None = None
    address: IpAddressText | None = None
    online: bool | None = None


@router.get("/pools", response=list[PoolOut])
def list_pools(request: HttpRequest) -> list[dict[str, object]]:
    pools = list(Pool.objects.restrict(request.user, "view"))
    usage = services.pool_usage(pools)
    return [
        {**PoolOut.from_orm(p).dict(exclude={"used"}), "used": usage.get(p.pk, 0)} for p in pools
    ]


@router.get("/leases", response=list[LeaseOut])
@paginate
def list_leases(request: HttpRequest, filters: Query[LeaseFilter]) -> object:
    qs = Lease.objects.restrict(request.user, "view")
    if filters.address:
        qs = qs.filter(address=filters.address)
    if filters.customer_id is not None:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.pool_id is not None:
        qs = qs.filter(pool_id=filters.pool_id)
    if filters.active is not None:
        qs = qs.filter(ended_at__isnull=filters.active)
    return qs.order_by("-started_at", "-id")


@router.post("/leases/static", response={201: LeaseOut})
def assign_static(request: HttpRequest, payload: StaticIn) -> tuple[int, Lease]:
    from lastmile.customers.models import Customer

    customer = get_object_or_404(
        Customer.objects.restrict(request.user, "change"), pk=payload.customer_id
    )
    if not has_model_permission(request.user, Lease, "add"):
        raise PermissionDenied
    lease = services.assign_static(
        customer=customer, address=payload.address, mac=payload.mac, actor=request.user
    )
    return 201, lease


@router.post("/leases/{lease_id}/end", response=LeaseOut)
def end_lease(request: HttpRequest, lease_id: int) -> Lease:
    """End the lease (history stays) and disconnect its session on the NAS."""
    lease = get_object_or_404(Lease.objects.restrict(request.user, "change"), pk=lease_id)
    services.end_lease(lease=lease, reason=LeaseEndReason.DELETED, actor=request.user)
    lease.refresh_from_db()
    return lease


@router.get("/sessions", response=list[SessionOut])
@paginate
def list_sessions(request: HttpRequest, filters: Query[SessionFilter]) -> object:
    qs = Session.objects.restrict(request.user, "view")
    if filters.customer_id is not None:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.nas_id is not None:
        qs = qs.filter(nas_id=filters.nas_id)
    if filters.address:
        qs = qs.filter(address=filters.address)
    if filters.online is not None:
        qs = qs.filter(stopped_at__isnull=filters.online)
    return qs.order_by("-started_at", "-id")


@router.post("/sessions/{session_id}/disconnect", response={202: SessionOut})
def disconnect(request: HttpRequest, session_id: int) -> tuple[int, Session]:
    """Ask for a Disconnect (sent by a job; the answer lands on the session as coa_result)."""
    session = get_object_or_404(Session.objects.restrict(request.user, "change"), pk=session_id)
    services.request_disconnect(session=session)
    return 202, session


# --- IPoE bindings -------------------------------------------------------------------


class BindingOut(Schema):
    id: int
    customer_id: int
    login: str
    mac: str
    remote_id: str
    circuit_id: str
    port_switch: str
    port_name: str
    device_port_id: int | None = None
    description: str
    created_at: datetime
    updated_at: datetime
    warning: str = ""

    @staticmethod
    def resolve_login(obj: AccessBinding) -> str:
        return obj.customer.login


class BindingFilter(Schema):
    customer_id: int | None = None
    login: str | None = None
    mac: str | None = None
    switch: str | None = None


class BindingIn(Schema):
    customer_id: int
    mac: str = ""
    remote_id: str = ""
    circuit_id: str = ""
    description: str = ""
    device_port_id: int | None = None  # a port of the devices inventory you may view


class BindingPatch(Schema):
    customer_id: int | None = None
    mac: str | None = None
    remote_id: str | None = None
    circuit_id: str | None = None
    description: str | None = None
    device_port_id: int | None = None  # null: not on a known port


def _visible_customer(request: HttpRequest, customer_id: int) -> object:
    from lastmile.customers.models import Customer

    return get_object_or_404(Customer.objects.restrict(request.user, "view"), pk=customer_id)


def _with_warning(binding: AccessBinding, warning: str) -> AccessBinding:
    binding.warning = warning  # type: ignore[attr-defined]
    return binding


@router.get("/bindings", response=list[BindingOut])
@paginate
def list_bindings(request: HttpRequest, filters: Query[BindingFilter]) -> object:
    """Bindings you may see; ``switch`` matches the remote id as typed or its parsed switch."""
    qs = AccessBinding.objects.restrict(request.user, "view").select_related("customer")
    if filters.customer_id is not None:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.login:
        qs = qs.filter(customer__login__icontains=filters.login)
    if filters.mac:
        mac = normalize_mac(filters.mac)
        qs = qs.filter(mac=mac) if mac else qs.filter(mac__icontains=filters.mac.strip().lower())
    if filters.switch:
        qs = qs.filter(
            Q(remote_id__icontains=filters.switch) | Q(port_switch__icontains=filters.switch)
        )
    return qs.order_by("customer__login", "id")


@router.post("/bindings", response={201: BindingOut})
def create_binding(request: HttpRequest, payload: BindingIn) -> tuple[int, AccessBinding]:
    """Bind a customer to a MAC and/or a switch port (409 if taken, 422 if invalid).

    A port in no known option 82 format is kept as exact text; ``warning`` says so."""
    customer = _visible_customer(request, payload.customer_id)
    if not has_model_permission(request.user, AccessBinding, "add"):
        raise PermissionDenied
    with transaction.atomic():
        change = services.create_binding(
            actor=request.user,
            customer=customer,
            mac=payload.mac,
            remote_id=payload.remote_id,
            circuit_id=payload.circuit_id,
            description=payload.description,
        )
        if payload.device_port_id is not None:
            services.choose_binding_device_port(
                actor=request.user, binding=change.binding, port_id=payload.device_port_id
            )
    return 201, _with_warning(change.binding, change.warning)


@router.patch("/bindings/{binding_id}", response=BindingOut)
def update_binding(request: HttpRequest, binding_id: int, payload: BindingPatch) -> AccessBinding:
    binding = get_object_or_404(
        AccessBinding.objects.restrict(request.user, "change").select_related("customer"),
        pk=binding_id,
    )
    given = payload.dict(exclude_unset=True)
    changes = {k: v for k, v in given.items() if v is not None and k != "device_port_id"}
    if "customer_id" in changes:
        changes["customer"] = _visible_customer(request, changes.pop("customer_id"))
    with transaction.atomic():
        change = services.update_binding(actor=request.user, binding=binding, **changes)
        if "device_port_id" in given:
            services.choose_binding_device_port(
                actor=request.user, binding=change.binding, port_id=given["device_port_id"]
            )
    return _with_warning(change.binding, change.warning)


@router.delete("/bindings/{binding_id}", response={204: None})
def delete_binding(request: HttpRequest, binding_id: int) -> HttpResponse:
    binding = get_object_or_404(
        AccessBinding.objects.restrict(request.user, "delete"), pk=binding_id
    )
    services.delete_binding(actor=request.user, binding=binding)
    return HttpResponse(status=204)
