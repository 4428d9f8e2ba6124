"""``Idempotency-Key`` for the subscriber API's writes (``POST``, ``PUT``,
``PATCH``, ``DELETE`` under ``/api/v1/me/``).

A mobile app that lost the answer to "buy this tariff" or "open a request"
sends the same request again with the same key and gets the first answer
back (header ``Idempotent-Replayed: true``) instead of a second purchase or
ticket.  The key is the client's (any 1 to 200 visible ASCII characters, a UUID
is typical), scoped to the customer, kept for ``IDEMPOTENCY_TTL``.

- The key is reserved (a row, committed) before the endpoint runs, so a
  repeat that arrives while the first is still running gets 409 and changes
  nothing; the unique (customer, key) constraint decides between two at once.
- The same key with another method, path or body is refused with 422.
- A reservation left unfinished for ``STALE`` (its process died) is freed.
- Answers that say "try again" are not kept (401, 403, 409, 429 and 5xx, or a
  request that raised): the key is released and a retry runs for real.
- Without the header nothing changes; requests that are not authenticated as
  a subscriber pass through untouched (the endpoint answers them 401).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta

import structlog
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from lastmile.cabinet import services
from lastmile.cabinet.models import IdempotentRequest
from lastmile.cabinet.session import COOKIE, session_customer
from lastmile.core.problem import problem_response
from lastmile.customers.models import Customer

log = structlog.get_logger(__name__)

PREFIX = "/api/v1/me/"
HEADER = "Idempotency-Key"
METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
IDEMPOTENCY_TTL = timedelta(hours=24)
#: A reservation still unfinished after this was left by a process that died.
STALE = timedelta(minutes=5)
#: Answers bigger than this are not kept (the API's writes answer small JSON).
MAX_BODY = 256 * 1024
#: Statuses that invite a retry: never replayed.
RETRYABLE = frozenset({401, 403, 409, 429})
_KEY = re.compile(r"[\x21-\x7e]{1,200}")


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode() + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _customer(request: HttpRequest) -> Customer | None:
    """Who the endpoint's own authentication will find (token, else session)."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        found = services.authenticate_token(header[7:].strip())
        return found[0] if found else None
    if request.COOKIES.get(COOKIE):
        return session_customer(request)
    return None


def _replay(row: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status or 200)
    if row.content_type:
        response["Content-Type"] = row.content_type
    response["Idempotent-Replayed"] = "true"
    return response


def _reserve(
    request: HttpRequest, customer: Customer, key: str
) -> IdempotentRequest | HttpResponse:
    """A new reservation, or the answer to a repeat (replay, 409 or 422)."""
    now = timezone.now()
    print_ = fingerprint(request)
    # An expired key, or a reservation whose process died mid-request, is free.
    IdempotentRequest.objects.filter(customer=customer, key=key).filter(
        Q(created_at__lt=now - IDEMPOTENCY_TTL) | Q(is_done=False, created_at__lt=now - STALE)
    ).delete()
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(customer=customer, key=key, fingerprint=print_)
    except IntegrityError:
        pass
    row = IdempotentRequest.objects.filter(customer=customer, key=key).first()
    if row is None:  # released a moment ago by the request that held it
        return _conflict(request)
    if row.fingerprint != print_:
        return _mismatch(request)
    if not row.is_done:
        return _conflict(request)
    return _replay(row)


def _conflict(request: HttpRequest) -> HttpResponse:
    return problem_response(
        request,
        409,
        "A request with this Idempotency-Key is still being processed; "
        "retry in a moment to get its answer.",
        code="idempotency_in_progress",
    )


def _mismatch(request: HttpRequest) -> HttpResponse:
    return problem_response(
        request,
        422,
        "This Idempotency-Key was used for a different request; use a new key for a new request.",
        code="idempotency_key_reused",
        field=HEADER,
    )


def _keep(row: IdempotentRequest, response: HttpResponse) -> None:
    body = response.content
    if response.status_code >= 500 or response.status_code in RETRYABLE or len(body) > MAX_BODY:
        row.delete()
        return
    IdempotentRequest.objects.filter(pk=row.pk).update(
        is_done=True,
        status=response.status_code,
        content_type=response.get("Content-Type", ""),
        body=body,
    )


class CabinetIdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method not in METHODS or not request.path.startswith(PREFIX):
            return self.get_response(request)
        if not _KEY.fullmatch(key):
            return problem_response(
                request,
                422,
                f"{HEADER} must be 1 to 200 visible ASCII characters (a UUID, for example).",
                code="idempotency_key_invalid",
                field=HEADER,
            )
        customer = _customer(request)
        if customer is None:
            return self.get_response(request)
        reserved = _reserve(request, customer, key)
        if isinstance(reserved, HttpResponse):
            log.info(
                "cabinet.idempotent_repeat", customer_id=customer.pk, status=reserved.status_code
            )
            return reserved
        try:
            response = self.get_response(request)
        except BaseException:
            reserved.delete()
            raise
        if getattr(response, "streaming", False):
            reserved.delete()
            return response
        _keep(reserved, response)
        return response
