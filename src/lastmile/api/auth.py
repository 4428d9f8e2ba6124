"""API authentication: staff tokens (``Authorization: Bearer lm_…``) or the
browser session (with CSRF, so a staff page's htmx calls work)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from lastmile.accounts import scopes
from lastmile.accounts.services import authenticate_token
from lastmile.core.middleware import bind_actor


def api_area(request: HttpRequest) -> str:
    """The first path segment under the API root (``/api/v1/finance/…`` → ``finance``)."""
    root = reverse("api:api-root")
    rest = request.path_info[len(root) :] if request.path_info.startswith(root) else ""
    return rest.split("/", 1)[0]


class StaffTokenAuth(HttpBearer):
    openapi_description = (
        "Staff API token, created under Profile → API tokens or with `lastmile create-token`. "
        'Its scopes ("*", or per area "customers:read", "finance:write") narrow what it may do '
        "within its user's rights; outside them the answer is 403."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = authenticate_token(token)
        if api_token is None:
            return None
        area = api_area(request)
        if not scopes.allows(api_token.scopes, area=area, method=request.method or "GET"):
            raise HttpError(
                403,
                f"This API token's scopes ({', '.join(api_token.scopes)}) do not allow "
                f"{request.method} on '{area}'.",
            )
        user = api_token.user
        request.user = user
        request.api_token = api_token  # type: ignore[attr-defined]
        bind_actor(request, user)
        return user


class StaffSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and not user.is_active:
            return None
        return user


staff_auth = [StaffTokenAuth(), StaffSessionAuth()]
