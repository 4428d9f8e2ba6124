"""REST endpoints of the customers app (mounted at /api/v1/customers).

Every endpoint starts from ``restrict(user, action)``: an object outside the
caller's permissions is 404.  Writes go through ``customers.services``; a
domain error becomes problem details (409 taken, 403 not allowed, 422 bad
value).  Secrets are never returned.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from lastmile.accounts.models import Site
from lastmile.accounts.permissions import has_model_permission
from lastmile.api.schemas import Omittable
from lastmile.core.errors import DomainError
from lastmile.customers import services
from lastmile.customers.filtersets import CustomerFilterSet
from lastmile.customers.models import Customer, CustomerGroup, ExtraField
from lastmile.customers.queries import customer_list_queryset, extra_value_rows

router = Router(tags=["customers"])


# --- schemas ---------------------------------------------------------------------
class CustomerOut(Schema):
    id: int
    login: str
    contract_number: str
    full_name: str
    phones: list[str]
    email: str
    locality: str
    street: str
    house: str
    apartment: str
    address: str
    group_id: int | None
    site_id: int | None
    is_active: bool
    description: str
    simultaneous_use: int | None = Field(
        description="Sessions at once; null: the server's setting; 0: no limit."
    )
    has_pppoe_password: bool
    has_cabinet_password: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_has_pppoe_password(obj: Customer) -> bool:
        return bool(obj.pppoe_secret_encrypted)

    @staticmethod
    def resolve_has_cabinet_password(obj: Customer) -> bool:
        return bool(obj.cabinet_password)


class CustomerPatch(Schema):
    """Only the fields sent are changed; ``Omittable`` ones cannot be sent as null."""

    login: Omittable[str] = Field(None, min_length=1, max_length=64)
    contract_number: Omittable[str] = Field(None, min_length=1, max_length=64)
    full_name: Omittable[str] = Field(None, max_length=255)
    phones: Omittable[list[str]] = None
    email: Omittable[str] = Field(None, max_length=254)
    locality: Omittable[str] = Field(None, max_length=100)
    street: Omittable[str] = Field(None, max_length=100)
    house: Omittable[str] = Field(None, max_length=20)
    apartment: Omittable[str] = Field(None, max_length=20)
    group_id: int | None = None
    site_id: int | None = Field(None, description="Only when sites are enabled.")
    is_active: Omittable[bool] = None
    description: Omittable[str] = None
    simultaneous_use: int | None = Field(
        None, ge=0, le=1000, description="null: the server's setting; 0: no limit."
    )


class CustomerIn(Schema):
    login: str = Field(min_length=1, max_length=64)
    contract_number: str = Field(min_length=1, max_length=64)
    full_name: str = Field("", max_length=255)
    phones: list[str] = Field(default_factory=list)
    email: str = Field("", max_length=254)
    locality: str = Field("", max_length=100)
    street: str = Field("", max_length=100)
    house: str = Field("", max_length=20)
    apartment: str = Field("", max_length=20)
    group_id: int | None = None
    site_id: int | None = Field(None, description="Only when sites are enabled.")
    is_active: bool = True
    description: str = ""
    simultaneous_use: int | None = Field(
        None, ge=0, le=1000, description="null: the server's setting; 0: no limit."
    )
    pppoe_password: str = Field("", max_length=128, description="Stored encrypted.")
    cabinet_password: str = Field("", max_length=128, description="Stored hashed.")


class PasswordsIn(Schema):
    pppoe_password: str | None = Field(None, min_length=1, max_length=128)
    cabinet_password: str | None = Field(None, min_length=1, max_length=128)


class ExtraValueOut(Schema):
    field_id: int
    name: str
    kind: str
    value: str


class ExtraValueIn(Schema):
    field_id: int
    value: str = Field(description='Numbers as "3.5", dates as "2026-01-31"; "" clears.')


class GroupOut(Schema):
    id: int
    name: str
    site_id: int | None
    description: str
    created_at: datetime
    updated_at: datetime


class GroupIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    site_id: int | None = None
    description: str = ""


class GroupPatch(Schema):
    name: Omittable[str] = Field(None, min_length=1, max_length=100)
    site_id: int | None = None
    description: Omittable[str] = None


class ExtraFieldOut(Schema):
    id: int
    name: str
    kind: str
    group_id: int | None
    choices: list[str]
    is_required: bool
    position: int


class ExtraFieldIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    kind: ExtraField.Kind = ExtraField.Kind.TEXT
    group_id: int | None = None
    choices: list[str] = Field(default_factory=list)
    is_required: bool = False
    position: int = Field(0, ge=0, le=32767)


class ExtraFieldPatch(Schema):
    name: Omittable[str] = Field(None, min_length=1, max_length=100)
    kind: Omittable[ExtraField.Kind] = None
    group_id: int | None = None
    choices: Omittable[list[str]] = None
    is_required: Omittable[bool] = None
    position: Omittable[int] = Field(None, ge=0, le=32767)


# --- helpers ---------------------------------------------------------------------
def _resolve_refs(request: HttpRequest, values: dict[str, Any]) -> dict[str, Any]:
    """Turn ``group_id``/``site_id`` into objects the caller may see (else 422)."""
    out = dict(values)
    if "group_id" in out:
        group_id = out.pop("group_id")
        out["group"] = None
        if group_id is not None:
            out["group"] = CustomerGroup.objects.restrict(request.user, "view").filter(
                pk=group_id
            ).first() or _missing(_("There is no customer group %(id)s.") % {"id": group_id})
    if "site_id" in out:
        site_id = out.pop("site_id")
        out["site"] = None
        if site_id is not None:
            if not settings.LASTMILE.sites_enabled:
                raise DomainError(
                    _("Sites are disabled on this installation (LASTMILE_SITES_ENABLED)."),
                    status=422,
                    field="site_id",
                )
            out["site"] = Site.objects.restrict(request.user, "view").filter(
                pk=site_id
            ).first() or _missing(_("There is no site %(id)s.") % {"id": site_id})
    return out


def _missing(message: str) -> Any:
    raise DomainError(message, status=422)


def _require_add(request: HttpRequest, model: type[Any]) -> None:
    if not has_model_permission(request.user, model, "add"):
        raise PermissionDenied


def _customer(request: HttpRequest, customer_id: int, action: str) -> Customer:
    return get_object_or_404(Customer.objects.restrict(request.user, action), pk=customer_id)


# --- groups ------------------------------------------------------------------------
@router.get("/groups", response=list[GroupOut])
@paginate
def list_groups(request: HttpRequest) -> Any:
    return CustomerGroup.objects.restrict(request.user, "view")


@router.post("/groups", response={201: GroupOut})
def create_group(request: HttpRequest, payload: GroupIn) -> Status[CustomerGroup]:
    _require_add(request, CustomerGroup)
    values = _resolve_refs(request, payload.dict())
    group = services.create_group(**values, actor=request.user)
    return Status(201, group)


@router.patch("/groups/{group_id}", response=GroupOut)
def update_group(request: HttpRequest, group_id: int, payload: GroupPatch) -> CustomerGroup:
    group = get_object_or_404(CustomerGroup.objects.restrict(request.user, "change"), pk=group_id)
    changes = _resolve_refs(request, payload.dict(exclude_unset=True))
    services.update_group(group=group, changes=changes, actor=request.user)
    return group


# --- extra field definitions -------------------------------------------------------
@router.get("/extra-fields", response=list[ExtraFieldOut])
@paginate
def list_extra_fields(request: HttpRequest) -> Any:
    return ExtraField.objects.restrict(request.user, "view")


@router.post("/extra-fields", response={201: ExtraFieldOut})
def create_extra_field(request: HttpRequest, payload: ExtraFieldIn) -> Status[ExtraField]:
    _require_add(request, ExtraField)
    values = _resolve_refs(request, payload.dict())
    field = services.create_extra_field(**values, actor=request.user)
    return Status(201, field)


@router.patch("/extra-fields/{field_id}", response=ExtraFieldOut)
def update_extra_field(request: HttpRequest, field_id: int, payload: ExtraFieldPatch) -> ExtraField:
    field = get_object_or_404(ExtraField.objects.restrict(request.user, "change"), pk=field_id)
    changes = _resolve_refs(request, payload.dict(exclude_unset=True))
    services.update_extra_field(field=field, changes=changes, actor=request.user)
    return field


# --- customers -----------------------------------------------------------------------
@router.get("", response=list[CustomerOut])
@paginate
def list_customers(
    request: HttpRequest,
    q: str | None = None,
    group: int | None = None,
    site: int | None = None,
    is_active: bool | None = None,
) -> Any:
    """Customers the caller may view, ordered by login; filters combine with AND.
    ``q``: part of the login, contract, name, phone or address."""
    # Plain parameters, not a Query schema: ninja cannot resolve a schema
    # annotation through @paginate under postponed annotations.
    given = {"q": q, "group": group, "site": site, "is_active": is_active}
    data: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if "is_active" in data:
        data["is_active"] = "true" if data["is_active"] else "false"
    if "site" in data and not settings.LASTMILE.sites_enabled:
        raise DomainError(
            _("Sites are disabled on this installation (LASTMILE_SITES_ENABLED)."), status=422
        )
    filterset = CustomerFilterSet(
        data, queryset=customer_list_queryset(request.user), request=request
    )
    if not filterset.is_valid():
        errors = [
            {"field": name, "message": " ".join(messages)}
            for name, messages in filterset.errors.items()
        ]
        raise DomainError(
            _("The filters are not valid: ")
            + "; ".join(f"{e['field']}: {e['message']}" for e in errors),
            status=422,
            errors=errors,
        )
    return filterset.qs


@router.post("", response={201: CustomerOut})
def create_customer(request: HttpRequest, payload: CustomerIn) -> Status[Customer]:
    _require_add(request, Customer)
    values = _resolve_refs(request, payload.dict())
    customer = services.create_customer(**values, actor=request.user)
    return Status(201, customer)


@router.get("/{customer_id}", response=CustomerOut)
def get_customer(request: HttpRequest, customer_id: int) -> Customer:
    return _customer(request, customer_id, "view")


@router.patch("/{customer_id}", response=CustomerOut)
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Customer:
    """Change only the fields sent; ``null`` clears ``group_id``/``site_id``."""
    customer = _customer(request, customer_id, "change")
    changes = _resolve_refs(request, payload.dict(exclude_unset=True))
    services.update_customer(customer=customer, changes=changes, actor=request.user)
    return customer


@router.post("/{customer_id}/passwords", response={204: None})
def set_passwords(request: HttpRequest, customer_id: int, payload: PasswordsIn) -> Status[None]:
    """Set the PPPoE and/or cabinet password (they are never returned)."""
    customer = _customer(request, customer_id, "change")
    if payload.pppoe_password is None and payload.cabinet_password is None:
        raise DomainError(_("Send pppoe_password, cabinet_password or both."), status=422)
    services.set_customer_passwords(
        customer=customer,
        pppoe_password=payload.pppoe_password,
        cabinet_password=payload.cabinet_password,
        actor=request.user,
    )
    return Status(204, None)


def _extra_values(customer: Customer) -> list[dict[str, Any]]:
    return [
        {"field_id": r.field.pk, "name": r.field.name, "kind": r.field.kind, "value": r.value}
        for r in extra_value_rows(customer)
    ]


@router.get("/{customer_id}/extra-values", response=list[ExtraValueOut])
def get_extra_values(request: HttpRequest, customer_id: int) -> list[dict[str, Any]]:
    """Every extra field that applies to the customer, with its value ("" if unset)."""
    return _extra_values(_customer(request, customer_id, "view"))


@router.put("/{customer_id}/extra-values", response=list[ExtraValueOut])
def set_extra_values(
    request: HttpRequest, customer_id: int, payload: list[ExtraValueIn]
) -> list[dict[str, Any]]:
    """Save the values sent (fields not sent keep theirs; "" clears one)."""
    customer = _customer(request, customer_id, "change")
    services.set_extra_values(
        customer=customer,
        values={item.field_id: item.value for item in payload},
        actor=request.user,
    )
    return _extra_values(customer)
