"""Every API error as RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

from typing import Any

import structlog
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from lastmile.core.errors import DomainError
from lastmile.core.problem import problem_response

__all__ = ["DomainError", "install"]

log = structlog.get_logger("lastmile.api")


def _validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        out.append({"field": ".".join(loc), "message": err.get("msg", "invalid")})
    return out


# PostgreSQL SQLSTATEs of integrity violations (Appendix A of its manual).
_UNIQUE_VIOLATION = "23505"


def _sqlstate(exc: Exception) -> str:
    return str(getattr(exc.__cause__, "sqlstate", "") or "")


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = _validation_errors(list(exc.errors))
        detail = "The request is not valid: " + "; ".join(
            f"{e['field'] or 'body'}: {e['message']}" for e in errors
        )
        return problem_response(request, 422, detail, errors=errors)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem_response(
            request,
            401,
            "Authentication required: send 'Authorization: Bearer <token>' with a valid, "
            "unexpired and unrevoked API token, or log in.",
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem_response(request, exc.status_code, str(exc.message))

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(request, 404, "Not found, or you are not allowed to see it.")

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return problem_response(
            request,
            403,
            str(exc) or "You are not allowed to do this. Ask an administrator for a permission.",
        )

    @api.exception_handler(DjangoValidationError)
    def _django_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return problem_response(request, 422, "; ".join(exc.messages))

    # The one translation of domain errors for the REST API: every app's error root
    # derives from DomainError and carries its status, code and field.
    @api.exception_handler(DomainError)
    def _domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        response = problem_response(request, exc.status, exc.detail, **exc.problem_members())
        retry_after_s = exc.extra.get("retry_after_s")
        if retry_after_s is not None:
            response["Retry-After"] = str(retry_after_s)
        return response

    # The last line of defence for input the schemas let through: the database refused
    # it, nothing was written (the statement failed), so it is the caller's 4xx, not a 500.
    @api.exception_handler(DataError)
    def _unstorable(request: HttpRequest, exc: DataError) -> HttpResponse:
        log.warning("api.unstorable_value", path=request.path, error=str(exc).splitlines()[0])
        return problem_response(
            request,
            422,
            "A value in the request cannot be stored (a number out of range, or a text "
            "with a NUL character): " + str(exc).splitlines()[0],
        )

    @api.exception_handler(IntegrityError)
    def _conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        log.warning("api.integrity_error", path=request.path, sqlstate=_sqlstate(exc))
        if _sqlstate(exc) == _UNIQUE_VIOLATION:
            return problem_response(
                request, 409, "An object with these values already exists; choose another."
            )
        return problem_response(
            request,
            422,
            "The request refers to an object that does not exist, or leaves out a required value.",
        )

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("api.unhandled_error", path=request.path)
        return problem_response(
            request,
            500,
            "Internal error. It has been logged; quote the request id when you report it.",
        )
