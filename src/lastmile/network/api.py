"""REST endpoints of the network app: pools with usage, leases, sessions.

(No ``from __future__ import annotations``: ninja reads the Query[...] types.)"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from lastmile.accounts.permissions import has_model_permission
from lastmile.api.errors import DomainError
from lastmile.api.schemas import IpAddressText
from lastmile.network import services
from lastmile.network.errors import NetworkError
from lastmile.network.models import Lease, LeaseEndReason, Pool, Session

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
    used: int = 0


class LeaseOut(Schema):
    id: int
    address: str
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
    try:
        lease = services.assign_static(
            customer=customer, address=payload.address, mac=payload.mac, actor=request.user
        )
    except NetworkError as exc:
        raise DomainError(str(exc), status=409) from exc
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
