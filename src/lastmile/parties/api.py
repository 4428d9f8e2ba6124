"""REST endpoints of parties (mounted at /api/v1/parties): legal entities.

Reads start from ``restrict(user, "view")`` (outside it: 404); writes go
through ``parties.services`` (a wrong requisite: 422 with the field).
Passports are not served by the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from lastmile.accounts.permissions import has_model_permission
from lastmile.api.errors import DomainError
from lastmile.parties import services
from lastmile.parties.errors import AlreadyExists, NotAllowed, PartiesError
from lastmile.parties.models import Branch, LegalEntity

router = Router(tags=["parties"])


@contextmanager
def domain_errors() -> Iterator[None]:
    """Parties/contracts errors as problem details (403, 409, 422)."""
    try:
        yield
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except AlreadyExists as exc:
        raise DomainError(str(exc), status=409, field=exc.field) from exc
    except PartiesError as exc:
        raise DomainError(str(exc), status=422, field=exc.field) from exc


class LegalEntityIn(Schema):
    kind: str = "legal"
    full_name: str
    short_name: str
    inn: str
    kpp: str = ""
    ogrn: str
    bank_name: str = ""
    bik: str = ""
    account: str = ""
    correspondent_account: str = ""
    legal_address_text: str = ""
    actual_address_text: str = ""
    postal_address_text: str = ""
    responsible_last_name: str
    responsible_first_name: str
    responsible_patronymic: str = ""
    responsible_position: str = ""
    responsible_phone: str = ""
    phone: str = ""
    email: str = ""


class LegalEntityOut(LegalEntityIn):
    id: int
    is_active: bool
    legal_address_id: int | None
    actual_address_id: int | None
    postal_address_id: int | None
    branch_customer_ids: list[int]

    @staticmethod
    def resolve_branch_customer_ids(obj: LegalEntity) -> list[int]:
        return [b.customer_id for b in obj.branches.all()]


@router.get("/legal-entities", response=list[LegalEntityOut])
@paginate
def list_legal_entities(request: HttpRequest) -> Any:
    return LegalEntity.objects.restrict(request.user, "view").prefetch_related("branches")


@router.get("/legal-entities/{entity_id}", response=LegalEntityOut)
def get_legal_entity(request: HttpRequest, entity_id: int) -> LegalEntity:
    return get_object_or_404(LegalEntity.objects.restrict(request.user, "view"), pk=entity_id)


@router.post("/legal-entities", response={201: LegalEntityOut})
def create_legal_entity(request: HttpRequest, payload: LegalEntityIn) -> Status[LegalEntity]:
    if not has_model_permission(request.user, LegalEntity, "add"):
        raise PermissionDenied
    with domain_errors():
        entity = services.create_legal_entity(**payload.dict(), actor=request.user)
    return Status(201, entity)


class BranchIn(Schema):
    customer_id: int
    name: str = ""


class BranchOut(Schema):
    customer_id: int
    legal_entity_id: int
    name: str
    export_name: str


@router.post("/legal-entities/{entity_id}/branches", response={201: BranchOut})
def attach_branch(request: HttpRequest, entity_id: int, payload: BranchIn) -> Status[Branch]:
    from lastmile.customers.models import Customer

    entity = get_object_or_404(LegalEntity.objects.restrict(request.user, "view"), pk=entity_id)
    customer = get_object_or_404(
        Customer.objects.restrict(request.user, "change"), pk=payload.customer_id
    )
    with domain_errors():
        branch = services.attach_branch(
            customer=customer, legal_entity=entity, name=payload.name, actor=request.user
        )
    return Status(201, branch)
