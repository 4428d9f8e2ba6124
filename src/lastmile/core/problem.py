"""RFC 9457 problem details: the one error shape of the REST API."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse

CONTENT_TYPE = "application/problem+json"


def problem_response(
    request: HttpRequest | None,
    status: int,
    detail: str,
    *,
    title: str | None = None,
    type_: str = "about:blank",
    **extra: Any,
) -> HttpResponse:
    """A problem+json response; ``title`` defaults to the HTTP status phrase."""
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.path
        request_id = getattr(request, "request_id", None)
        if request_id:
            body["request_id"] = request_id
    body.update(extra)
    return HttpResponse(
        json.dumps(body, default=str, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )
