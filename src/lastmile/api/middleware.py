"""Refuse NUL characters in any input before a view sees it.

PostgreSQL cannot store U+0000 in a text column (nor take it in a query
parameter), so a NUL anywhere in the path, the query string or a JSON or form
body would end as a server error deep inside some query.  One check here covers
every schema and every form: an API request gets a 422 problem document, a page
request a plain 400.  File uploads (multipart) are not inspected: files may
hold any byte; but a multipart body whose Content-Type has no valid boundary
is refused here (400) for the same reason: parsed later, it raises."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.translation import gettext as _

from lastmile.core.problem import problem_response

_NUL = "\x00"


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _json_has_nul(body: bytes) -> bool:
    if b"\\u0000" not in body.lower() and b"\x00" not in body:
        return False
    try:
        data = json.loads(body)
    except ValueError:
        return False  # not JSON: the endpoint's own parser answers for it
    return any(_NUL in text for text in _strings(data))


def has_nul(request: HttpRequest) -> bool:
    """Whether the path, the query string or a JSON/urlencoded body holds a NUL."""
    if _NUL in request.path_info:
        return True
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        return _json_has_nul(request.body)
    if content_type == "application/x-www-form-urlencoded":
        return b"\x00" in unquote_to_bytes(request.body.replace(b"+", b" "))
    return False


def bad_multipart(request: HttpRequest) -> bool:
    """A multipart body whose Content-Type Django cannot parse (no or a bad
    boundary): reading ``request.POST`` later (an endpoint, django-axes)
    would raise instead of answering."""
    if not (request.META.get("CONTENT_TYPE") or "").startswith("multipart/"):
        return False
    try:
        MultiPartParser(request.META, io.BytesIO(b""), [], request.encoding)
    except MultiPartParserError:
        return True
    return False


class RefuseNulMiddleware:
    """Answer 422 (API) or 400 (pages) to input holding a NUL character, and
    400 to a multipart body without a valid boundary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if bad_multipart(request):
            malformed = _(
                "The multipart body has no valid boundary in its Content-Type; "
                "send multipart/form-data with a boundary, or JSON."
            )
            if request.path_info.startswith("/api/"):
                return problem_response(request, 400, malformed)
            return HttpResponseBadRequest(malformed, content_type="text/plain; charset=utf-8")
        if not has_nul(request):
            return self.get_response(request)
        message = _("The request contains a NUL character (U+0000), which cannot be stored.")
        if request.path_info.startswith("/api/"):
            return problem_response(request, 422, message)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


_PROBLEM = "application/problem+json"
_KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


class ApiProblemMiddleware:
    """Every error under /api/ as a problem document, also those no endpoint answered:
    an unknown URL (Django's 404 page) or a method the path lacks (ninja's bare 405)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path_info.startswith("/api/")
            or response.get("Content-Type", "").split(";")[0] in (_PROBLEM, "application/json")
        ):
            return response
        problem = problem_response(request, response.status_code, _detail(response.status_code))
        for header in _KEPT_HEADERS:
            if header in response:
                problem[header] = response[header]
        return problem


def _detail(status: int) -> str:
    if status == 404:
        return _("No such API endpoint or object; see /api/v1/docs.")
    if status == 405:
        return _("This method is not allowed here; the Allow header lists the allowed ones.")
    return _("The request could not be processed.")
