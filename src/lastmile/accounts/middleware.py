"""Response headers that keep authenticated pages private (see conf/security.py:
LASTMILE_NO_STORE_AUTHENTICATED, LASTMILE_PERMISSIONS_POLICY).  CSP, HSTS and
the cookie flags come from django-csp and Django's SecurityMiddleware."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


def is_authenticated_request(request: HttpRequest) -> bool:
    """A logged-in staff member (session or API token) or subscriber (cabinet
    session or cabinet token) made this request."""
    if getattr(request, "customer", None) is not None:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class PrivateResponseMiddleware:
    """``Cache-Control: no-store`` on responses to authenticated requests (unless
    the view chose a Cache-Control itself), and the Permissions-Policy header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        conf = settings.LASTMILE
        if (
            conf.no_store_authenticated
            and not response.has_header("Cache-Control")
            and is_authenticated_request(request)
        ):
            add_never_cache_headers(response)
        if conf.permissions_policy and not response.has_header("Permissions-Policy"):
            response["Permissions-Policy"] = conf.permissions_policy
        return response
