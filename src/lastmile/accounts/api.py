"""REST endpoints of the accounts app: the caller, their tokens, and sites."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from lastmile.accounts import services
from lastmile.accounts.errors import TokenNotFound
from lastmile.accounts.models import ApiToken, Site, staff_user
from lastmile.accounts.permissions import has_model_permission
from lastmile.accounts.scopes import FULL
from lastmile.core.errors import DomainError

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    is_superuser: bool
    site_id: int | None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00]*$")
    expires_in_days: int | None = Field(None, ge=0, le=3650)
    scopes: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=lambda: [FULL],
        min_length=1,
        max_length=40,
        description='"*" (full access, the default), or per area "customers:read", '
        '"finance:write"… (write includes read).',
    )


class TokenCreated(TokenOut):
    secret: str = Field(description="Shown once; store it now.")


class SiteIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    slug: str = Field(min_length=1, max_length=100, pattern=r"^[-a-zA-Z0-9_]+$")
    address: str = Field("", max_length=255)
    description: str = ""


class SiteOut(Schema):
    id: int
    name: str
    slug: str
    address: str
    description: str
    created_at: datetime
    updated_at: datetime


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> object:
    """The authenticated staff member."""
    return request.user


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> object:
    return ApiToken.objects.filter(user=staff_user(request))


@router.post("/tokens", response={201: TokenCreated})
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    token, secret = services.create_api_token(
        user=staff_user(request),
        name=payload.name,
        expires_in_days=payload.expires_in_days,
        scopes=payload.scopes,
        created_with=getattr(request, "api_token", None),
    )
    return Status(201, {**TokenOut.from_orm(token).dict(), "secret": secret})


@router.post("/tokens/{token_id}/revoke", response=TokenOut)
def revoke_token(request: HttpRequest, token_id: int) -> object:
    try:
        return services.revoke_user_token(user=staff_user(request), token_id=token_id)
    except TokenNotFound as exc:
        raise Http404 from exc


def _sites_enabled() -> None:
    if not settings.LASTMILE.sites_enabled:
        raise DomainError(
            "Sites are disabled on this installation (LASTMILE_SITES_ENABLED).", status=404
        )


@router.get("/sites", response=list[SiteOut])
@paginate
def list_sites(request: HttpRequest) -> object:
    _sites_enabled()
    return Site.objects.restrict(request.user, "view")


@router.get("/sites/{site_id}", response=SiteOut)
def get_site(request: HttpRequest, site_id: int) -> object:
    _sites_enabled()
    return get_object_or_404(Site.objects.restrict(request.user, "view"), pk=site_id)


def _save_site(request: HttpRequest, site: Site, payload: SiteIn) -> Site:
    for key, value in payload.dict().items():
        setattr(site, key, value)
    try:
        with transaction.atomic():
            site.save()
            if not Site.objects.restrict(request.user, "change").filter(pk=site.pk).exists():
                raise PermissionDenied("These values are outside what you are allowed to change.")
    except IntegrityError as exc:
        raise DomainError("A site with this name or slug already exists.", status=409) from exc
    return site


@router.post("/sites", response={201: SiteOut})
def create_site(request: HttpRequest, payload: SiteIn) -> Status[Site]:
    _sites_enabled()
    if not has_model_permission(request.user, Site, "add"):
        raise PermissionDenied
    return Status(201, _save_site(request, Site(), payload))


@router.put("/sites/{site_id}", response=SiteOut)
def update_site(request: HttpRequest, site_id: int, payload: SiteIn) -> Site:
    _sites_enabled()
    site = get_object_or_404(Site.objects.restrict(request.user, "change"), pk=site_id)
    return _save_site(request, site, payload)


@router.delete("/sites/{site_id}", response={204: None})
def delete_site(request: HttpRequest, site_id: int) -> Status[None]:
    _sites_enabled()
    site = get_object_or_404(Site.objects.restrict(request.user, "delete"), pk=site_id)
    site.delete()
    return Status(204, None)
