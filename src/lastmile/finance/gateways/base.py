"""The gateway plugin interface, the registry of gateways, and the one wrapper
every callback goes through.

A gateway is a module with a ``Gateway`` subclass decorated by ``@register``.
It declares its credential and option fields (the staff settings form is
built from them), its URL endpoints (mounted at ``/pay/<name>/``), and turns
the provider's requests into calls of ``finance.services.record_payment``.

``callback`` wraps each endpoint so that, in this order: the gateway must be
configured and enabled, the source address must be in its allow-list, the
plugin's ``authenticate`` (secret, signature) must pass — all before the
handler touches money — and every request and response is written to
``GatewayRequestLog`` with secrets masked.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib import import_module
from typing import Any, ClassVar, NamedTuple
from urllib.parse import parse_qsl, urlencode

import structlog
from django.db.models import Min, Q
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from lastmile.customers.models import Customer
from lastmile.finance.errors import FinanceError
from lastmile.finance.gateways.models import GatewayConfig, GatewayRequestLog
from lastmile.finance.models import Payment

log = structlog.get_logger("lastmile.gateways")

PLUGIN_MODULES = [
    "lastmile.finance.gateways.rncb",
    "lastmile.finance.gateways.alltime",
    "lastmile.finance.gateways.payme",
    "lastmile.finance.gateways.card",
    "lastmile.finance.gateways.registry",
]
MASK = "***"
MAX_LOGGED_CHARS = 20_000


@dataclass(frozen=True)
class SettingField:
    """A credential or option a gateway needs; ``help`` is shown to staff."""

    key: str
    label: str
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()


@dataclass
class Reply:
    """A protocol response plus what the log should remember about it."""

    body: str
    content_type: str = "text/xml; charset=utf-8"
    status: int = 200
    outcome: str = ""
    action: str = ""
    external_id: str = ""
    amount: Decimal | None = None
    customer_id: int | None = None
    payment: Payment | None = None
    headers: dict[str, str] = field(default_factory=dict)


class GatewayUnavailable(FinanceError):
    """The gateway is not configured or not enabled."""


class Refused(Exception):
    """Raised by ``authenticate`` or a handler: answer with ``refuse``."""

    def __init__(self, message: str, *, status: int = 403, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class DayTotal(NamedTuple):
    """Payments of one day: how many, and their sum."""

    payments: int
    amount: Decimal


DayTotals = dict[date, DayTotal]


class Gateway:
    """Base class of a gateway plugin."""

    name: ClassVar[str]
    title: ClassVar[str]
    credential_fields: ClassVar[tuple[SettingField, ...]] = ()
    option_fields: ClassVar[tuple[SettingField, ...]] = ()
    # Request parameters (query or JSON keys) written to the log as "***".
    masked_params: ClassVar[frozenset[str]] = frozenset()
    # Whether the provider's side of a day can be reconciled against ours.
    has_statement: ClassVar[bool] = True

    def url_patterns(self) -> list[URLPattern]:
        return []

    def configuration(self) -> GatewayConfig | None:
        return GatewayConfig.objects.filter(name=self.name).first()

    def authenticate(self, request: HttpRequest, config: GatewayConfig) -> None:
        """Raise ``Refused`` unless the request carries the gateway's credentials."""

    def refuse(self, request: HttpRequest, error: Refused) -> Reply:
        """The protocol's way of saying no (XML, JSON-RPC error…)."""
        return Reply(
            json.dumps({"error": error.code, "detail": error.message}),
            content_type="application/json",
            status=error.status,
            outcome=error.code,
        )

    def provider_totals(self, *, since: date, until: date) -> DayTotals:
        """Count and sum per day of what the provider asked us to credit
        (default: successful or duplicate pay requests in the log, each
        external id once, on the day it first arrived)."""
        rows = (
            GatewayRequestLog.objects.filter(
                gateway=self.name,
                outcome__in=["credited", "duplicate"],
                created_at__date__gte=since,
                created_at__date__lte=until,
            )
            .exclude(external_id="")
            .values("external_id")
            .annotate(first=Min("created_at"), amount=Min("amount"))
        )
        return sum_by_day((timezone.localdate(r["first"]), r["amount"]) for r in rows)


REGISTRY: dict[str, Gateway] = {}


def register(cls: type[Gateway]) -> type[Gateway]:
    REGISTRY[cls.name] = cls()
    return cls


def load_plugins() -> None:
    for module in PLUGIN_MODULES:
        import_module(module)


def get_gateway(name: str) -> Gateway:
    load_plugins()
    return REGISTRY[name]


def all_gateways() -> list[Gateway]:
    load_plugins()
    return [REGISTRY[name] for name in sorted(REGISTRY)]


# Helpers shared by the plugins ---------------------------------------------------


def secrets_equal(given: str | bytes, expected: str | bytes) -> bool:
    """Constant-time comparison; an empty expected secret never matches."""
    if not expected:
        return False
    a = given.encode() if isinstance(given, str) else given
    b = expected.encode() if isinstance(expected, str) else expected
    return hmac.compare_digest(a, b)


def find_customer(reference: str, *, field_name: str = "login") -> Customer | None:
    """The active customer whose login (or contract number) is ``reference``."""
    reference = (reference or "").strip()
    if not reference or field_name not in ("login", "contract_number", "any"):
        return None
    if field_name == "any":
        query = Q(login=reference) | Q(contract_number=reference)
    else:
        query = Q(**{field_name: reference})
    return Customer.objects.filter(query, is_active=True).first()


def sum_by_day(items: Any) -> DayTotals:
    totals: DayTotals = {}
    for day, amount in items:
        count, total = totals.get(day, DayTotal(0, Decimal("0.00")))
        totals[day] = DayTotal(count + 1, total + (amount or Decimal("0.00")))
    return totals


def masked_request(request: HttpRequest, masked: frozenset[str]) -> str:
    """What the log keeps of a request: query and body, masked keys replaced."""
    query = urlencode(
        [
            (k, MASK if k in masked else v)
            for k, v in parse_qsl(request.META.get("QUERY_STRING", ""))
        ]
    )
    body = ""
    if request.method == "POST":
        raw = request.body.decode("utf-8", errors="replace")
        body = _mask_json(raw, masked) if masked else raw
    text = f"?{query}" if query else ""
    if body:
        text = f"{text}\n{body}" if text else body
    return text[:MAX_LOGGED_CHARS]


def _mask_json(raw: str, masked: frozenset[str]) -> str:
    try:
        data = json.loads(raw)
    except ValueError:
        return raw

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: MASK if k in masked else walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return json.dumps(walk(data), ensure_ascii=False)


Handler = Callable[..., Reply]


def callback(gateway_name: str, *, methods: tuple[str, ...] = ("GET",)) -> Callable[..., Any]:
    """Turn ``handler(request, config) -> Reply`` into a guarded, logged view."""

    def decorate(handler: Handler) -> Callable[..., HttpResponse]:
        @csrf_exempt
        def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            gateway = get_gateway(gateway_name)
            try:
                config = _guard(gateway, request, methods)
                reply = handler(request, config, **kwargs)
            except Refused as refusal:
                reply = gateway.refuse(request, refusal)
            except FinanceError as exc:  # a domain refusal the handler did not map
                reply = gateway.refuse(request, Refused(str(exc), status=400, code="refused"))
            except Exception as exc:
                log.exception("gateway.error", gateway=gateway_name)
                reply = gateway.refuse(
                    request,
                    Refused(f"internal error: {type(exc).__name__}", status=500, code="error"),
                )
            return _respond(gateway, request, reply)

        view.__name__ = handler.__name__
        view.__doc__ = handler.__doc__
        return view

    return decorate


def _guard(gateway: Gateway, request: HttpRequest, methods: tuple[str, ...]) -> GatewayConfig:
    config = gateway.configuration()
    if config is None or not config.is_enabled:
        raise Refused("this payment gateway is not enabled", status=503, code="disabled")
    if request.method not in methods:
        raise Refused(f"method {request.method} is not allowed", status=405, code="bad_method")
    address = request.META.get("REMOTE_ADDR", "")
    if not config.is_address_allowed(address):
        raise Refused(f"source address {address} is not allowed", code="network_refused")
    gateway.authenticate(request, config)
    return config


def _respond(gateway: Gateway, request: HttpRequest, reply: Reply) -> HttpResponse:
    response = HttpResponse(reply.body, status=reply.status, content_type=reply.content_type)
    for key, value in reply.headers.items():
        response[key] = value
    remote = request.META.get("REMOTE_ADDR") or None
    GatewayRequestLog.objects.create(
        gateway=gateway.name,
        action=reply.action[:40],
        method=(request.method or "")[:10],
        path=request.path[:300],
        remote_addr=remote,
        request_body=masked_request(request, gateway.masked_params),
        response_status=reply.status,
        response_body=reply.body[:MAX_LOGGED_CHARS],
        outcome=reply.outcome[:40],
        external_id=reply.external_id[:100],
        amount=reply.amount,
        customer_id=reply.customer_id,
        payment=reply.payment,
    )
    log.info(
        "gateway.request",
        gateway=gateway.name,
        action=reply.action,
        outcome=reply.outcome,
        status=reply.status,
        external_id=reply.external_id,
        customer_id=reply.customer_id,
        remote_addr=remote,
    )
    return response
