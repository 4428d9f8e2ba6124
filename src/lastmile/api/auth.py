"""API authentication: staff tokens (``Authorization: Bearer lm_…``) or the
browser session (with CSRF, so a staff page's htmx calls work)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from lastmile.accounts.services import authenticate_token
from lastmile.core.middleware import bind_actor


class StaffTokenAuth(HttpBearer):
    openapi_description = (
        "Staff API token, created under Profile → API tokens or with `lastmile create-token`."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is None:
            return None
        request.user = user
        bind_actor(request, user)
        return user


class StaffSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and not user.is_active:
            return None
        return user


staff_auth = [StaffTokenAuth(), StaffSessionAuth()]
