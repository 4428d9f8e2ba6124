"""REST endpoints of the address registry (mounted at /api/v1/addresses)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from lastmile.addresses.lookup import clean_name
from lastmile.addresses.models import AddressObject

router = Router(tags=["addresses"])


class AddressOut(Schema):
    id: int
    parent_id: int | None
    level: str
    gar_level: int | None
    type_short: str
    name: str
    building: str
    structure: str
    letter: str
    postcode: str
    latitude: Decimal | None
    longitude: Decimal | None
    fias_guid: uuid.UUID | None
    is_active: bool


class AddressDetailOut(AddressOut):
    full_name: str

    @staticmethod
    def resolve_full_name(obj: AddressObject) -> str:
        return obj.full_name()


@router.get("", response=list[AddressOut])
@paginate
def list_addresses(
    request: HttpRequest, parent_id: int | None = None, level: str | None = None, q: str = ""
) -> Any:
    queryset = AddressObject.objects.restrict(request.user, "view").order_by("pk")
    if parent_id is not None:
        queryset = queryset.filter(parent_id=parent_id)
    if level:
        queryset = queryset.filter(level=level)
    for word in clean_name(q).split():
        queryset = queryset.filter(name__icontains=word)
    return queryset


@router.get("/{address_id}", response=AddressDetailOut)
def get_address(request: HttpRequest, address_id: int) -> AddressObject:
    return get_object_or_404(AddressObject.objects.restrict(request.user, "view"), pk=address_id)
