"""Authentication of ``/api/v1/me/``: a cabinet token (``Authorization: Bearer
lmc_…``, for a mobile app) or the cabinet session cookie (with CSRF).  Staff
tokens and the staff session are not accepted here, and cabinet credentials
are not accepted by staff endpoints (those look at other tables and cookies)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from lastmile.cabinet import services
from lastmile.cabinet.session import COOKIE, session_customer
from lastmile.customers.models import Customer


class CabinetTokenAuth(HttpBearer):
    openapi_description = "Cabinet token of a subscriber, from POST /api/v1/me/tokens."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = services.authenticate_token(token)
        if found is None:
            return None
        customer, cabinet_token = found
        request.customer = customer  # type: ignore[attr-defined]
        request.cabinet_token = cabinet_token  # type: ignore[attr-defined]
        return customer


class CabinetSessionAuth(APIKeyCookie):
    """The subscriber's browser session (the cabinet pages' cookie)."""

    param_name = COOKIE

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.COOKIES.get(self.param_name)
        # CSRF only matters when the cookie would authenticate the request.
        if key and check_csrf(request):
            raise HttpError(403, "CSRF check failed.")
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        customer = session_customer(request)
        if customer is None:
            return None
        request.customer = customer  # type: ignore[attr-defined]
        request.cabinet_token = None  # type: ignore[attr-defined]
        return customer


cabinet_auth = [CabinetTokenAuth(), CabinetSessionAuth()]


def request_customer(request: HttpRequest) -> Customer:
    """The customer ``cabinet_auth`` authenticated for this request."""
    customer: Customer = request.customer  # type: ignore[attr-defined]
    return customer
