"""HTTP access decision for FreeRADIUS ``rlm_rest`` (authorize section),
authenticated with a NAS-scoped token: ``Authorization: Bearer lmnas_…``; and the
staff list of access changes.

(No ``from __future__ import annotations``: ninja reads the Query[...] types.)"""

import json
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from ninja.security import HttpBearer

from lastmile.aaa import rest
from lastmile.aaa.models import AccessChange
from lastmile.accounts.permissions import require_model_permission

router = Router(tags=["aaa"])


class NasTokenAuth(HttpBearer):
    openapi_description = "A NAS-scoped token (lastmile.aaa.rest.issue_nas_token)."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        nas = rest.nas_for_token(token)
        if nas is not None:
            request.nas = nas  # type: ignore[attr-defined]
        return nas


@router.post("/rest/authorize", auth=NasTokenAuth(), response={200: dict, 401: dict})
def rest_authorize(request: HttpRequest) -> JsonResponse:
    """The same decision as the RADIUS server.  200 with reply attributes
    (accept), 401 with Reply-Message (reject)."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    status, reply = rest.authorize(request.nas, rest.credentials_from_json(body))  # type: ignore[attr-defined]
    return JsonResponse(reply, status=status)


class NasAttemptOut(Schema):
    nas_id: int
    acct_session_id: str
    address: str | None
    kind: str
    is_fallback: bool
    result: str
    detail: str
    sent_at: datetime
    duration_ms: int


class AccessChangeOut(Schema):
    id: int
    customer_id: int
    reason: str
    address: str | None
    requested_at: datetime
    state: str
    tries: int
    finished_at: datetime | None
    summary: str
    attempts: list[NasAttemptOut]

    @staticmethod
    def resolve_attempts(obj: AccessChange) -> list[Any]:
        return sorted(obj.attempts.all(), key=lambda a: (a.sent_at, a.pk))


class AccessChangeFilter(Schema):
    customer_id: int | None = None
    state: Literal["pending", "applied", "failed"] | None = None


@router.get("/access-changes", response=list[AccessChangeOut])
@paginate
def list_access_changes(request: HttpRequest, filters: Query[AccessChangeFilter]) -> object:
    """Changes of access sent to the NASes, newest first, with every request and answer."""
    require_model_permission(request.user, AccessChange, "view")
    qs = AccessChange.objects.restrict(request.user, "view").prefetch_related("attempts")
    if filters.customer_id is not None:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.state is not None:
        qs = qs.filter(state=filters.state)
    return qs.order_by("-requested_at", "-id")
