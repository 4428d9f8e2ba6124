"""REST endpoints of contracts (mounted at /api/v1/contracts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from lastmile.contracts import services
from lastmile.contracts.models import Contract
from lastmile.parties.api import domain_errors

router = Router(tags=["contracts"])


class EventOut(Schema):
    from_state: str
    to_state: str
    on_date: dt.date
    at: dt.datetime
    actor_id: int | None
    reason: str


class ContractOut(Schema):
    id: int
    number: str
    site_id: int | None
    customer_id: int | None
    legal_entity_id: int | None
    kind: str
    state: str
    title: str
    signed_on: dt.date | None
    starts_on: dt.date
    ends_on: dt.date | None
    access_address_id: int | None


class ContractDetailOut(ContractOut):
    events: list[EventOut]

    @staticmethod
    def resolve_events(obj: Contract) -> list[Any]:
        return list(obj.events.all())


@router.get("", response=list[ContractOut])
@paginate
def list_contracts(
    request: HttpRequest, customer_id: int | None = None, legal_entity_id: int | None = None
) -> Any:
    queryset = Contract.objects.restrict(request.user, "view").order_by("pk")
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    if legal_entity_id is not None:
        queryset = queryset.filter(legal_entity_id=legal_entity_id)
    return queryset


@router.get("/{contract_id}", response=ContractDetailOut)
def get_contract(request: HttpRequest, contract_id: int) -> Contract:
    return get_object_or_404(Contract.objects.restrict(request.user, "view"), pk=contract_id)


class StateIn(Schema):
    to_state: str
    on_date: dt.date | None = None
    reason: str = ""


@router.post("/{contract_id}/state", response=list[ContractOut])
def change_state(request: HttpRequest, contract_id: int, payload: StateIn) -> list[Contract]:
    """Move the contract along the transition table; the answer lists every
    contract that changed (a legal entity's termination ends its branches')."""
    contract = get_object_or_404(Contract.objects.restrict(request.user, "change"), pk=contract_id)
    with domain_errors():
        return services.change_state(contract=contract, actor=request.user, **payload.dict())
