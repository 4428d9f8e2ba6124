"""HTTP access decision for FreeRADIUS ``rlm_rest`` (authorize section),
authenticated with a NAS-scoped token: ``Authorization: Bearer lmnas_…``."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Router
from ninja.security import HttpBearer

from lastmile.aaa import rest

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
