"""Request id, acting user and history context for every web request."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

import pghistory
import structlog
from django.http import HttpRequest, HttpResponse

from lastmile.core.error_pages import domain_error_page
from lastmile.core.errors import DomainError

log = structlog.get_logger("lastmile.web")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class RequestContextMiddleware:
    """Give the request an id (or accept a sane ``X-Request-ID``) and log it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        log.info(
            "http.request",
            method=request.method,
            path=request.path,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        structlog.contextvars.clear_contextvars()
        return response


def bind_actor(request: HttpRequest, user: object) -> None:
    """Attach the acting user to the log context and to history context.

    Called by the session middleware below and again by API token auth,
    which identifies the user only after the middleware ran.
    """
    user_id = getattr(user, "pk", None)
    username = getattr(user, "username", None)
    structlog.contextvars.bind_contextvars(user_id=user_id, username=username)
    # Adds to the open history context if there is one; a no-op otherwise.
    pghistory.context(user=user_id, username=username)


class ActorContextMiddleware:
    """Changes made during a request are recorded with who made them and the request id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            structlog.contextvars.bind_contextvars(user_id=user.pk, username=user.get_username())
        if request.method in _SAFE_METHODS:
            return self.get_response(request)
        request_id = getattr(request, "request_id", None)
        actor = (
            {"user": user.pk, "username": user.get_username()}
            if user and user.is_authenticated
            else {}
        )
        with pghistory.context(request_id=request_id, url=request.path, **actor):
            return self.get_response(request)


class DomainErrorMiddleware:
    """The staff pages' and the cabinet's one translation of an uncaught domain
    error (``lastmile.core.errors.DomainError``): a message, not a 500. Views
    that keep the form's input catch the error themselves and call
    ``lastmile.core.views.form_error``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            return domain_error_page(request, exception)
        return None
