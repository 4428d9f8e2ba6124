"""Payme (Paycom) merchant API: JSON-RPC 2.0 over ``POST /pay/payme/``.

Payme authenticates with HTTP Basic ``Paycom:<key>`` (compared in constant
time).  Every answer is HTTP 200 with ``result`` or ``error``.  The methods,
the checks of their parameters and the error codes are in ``payme_rpc``.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime
from typing import Any

from django.http import HttpRequest
from django.urls import URLPattern, path
from django.utils import timezone

from lastmile.finance.gateways.base import (
    DayTotals,
    Gateway,
    Refused,
    Reply,
    SettingField,
    callback,
    register,
    secrets_equal,
    sum_by_day,
)
from lastmile.finance.gateways.models import GatewayConfig, PaymeTransaction
from lastmile.finance.gateways.payme_rpc import (
    ACCOUNT_NOT_FOUND,
    INVALID_REQUEST,
    METHODS,
    NAME,
    NO_METHOD,
    NOT_POSSIBLE,
    NOT_POST,
    PARSE_ERROR,
    SYSTEM_ERROR,
    TX_NOT_FOUND,
    UNAUTHORISED,
    WRONG_AMOUNT,
    RpcError,
    S,
)


@register
class PaymeGateway(Gateway):
    name = NAME
    title = "Payme"
    credential_fields = (SettingField("key", "Merchant key", "Basic auth password of Paycom."),)
    option_fields = (
        SettingField("account_key", "Account parameter", "Key in params.account, e.g. login."),
        SettingField("account_field", "Account is", "login or contract_number"),
    )
    masked_params = frozenset({"password"})

    def url_patterns(self) -> list[URLPattern]:
        return [path("", endpoint, name="endpoint")]

    def authenticate(self, request: HttpRequest, config: GatewayConfig) -> None:
        key = config.credential("key")
        header = request.headers.get("Authorization", "")
        try:
            given = base64.b64decode(header.removeprefix("Basic "), validate=True).decode()
        except ValueError:
            given = ""
        if not header.startswith("Basic ") or not secrets_equal(
            given, f"Paycom:{key}" if key else ""
        ):
            raise Refused("insufficient privileges", status=200, code="bad_credentials")

    def refuse(self, request: HttpRequest, error: Refused) -> Reply:
        code = (
            UNAUTHORISED if error.code in ("bad_credentials", "network_refused") else SYSTEM_ERROR
        )
        if error.code == "bad_method":
            code = NOT_POST
        # Payme expects HTTP 200 with a JSON-RPC error, whatever went wrong.
        return _error_reply(_request_id(request), RpcError(code, error.message), error.code)

    def provider_totals(self, *, since: Any, until: Any) -> DayTotals:
        rows = PaymeTransaction.objects.filter(
            state=S.PERFORMED, perform_time_ms__gt=0
        ).values_list("perform_time_ms", "amount")
        days = ((_local_day(ms), amount) for ms, amount in rows)
        return sum_by_day((d, a) for d, a in days if since <= d <= until)


def _local_day(ms: int) -> date:
    return timezone.localdate(datetime.fromtimestamp(ms // 1000, tz=UTC))


def _request_id(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body).get("id")
    except (ValueError, AttributeError):
        return None


def _error_reply(request_id: Any, error: RpcError, outcome: str, **log: Any) -> Reply:
    message = {"ru": error.message, "uz": error.message, "en": error.message}
    body = {"jsonrpc": "2.0", "id": request_id, "error": {"code": error.code, "message": message}}
    if error.data is not None:
        body["error"]["data"] = error.data
    return Reply(json.dumps(body), content_type="application/json", outcome=outcome, **log)


@callback(NAME, methods=("POST",))
def endpoint(request: HttpRequest, config: GatewayConfig) -> Reply:
    """Dispatch one JSON-RPC call."""
    try:
        call = json.loads(request.body)
    except ValueError:
        return _error_reply(None, RpcError(PARSE_ERROR, "parse error"), "malformed")
    if not isinstance(call, dict) or not isinstance(call.get("params"), dict):
        return _error_reply(None, RpcError(INVALID_REQUEST, "invalid request"), "malformed")
    method, params, request_id = call.get("method"), call["params"], call.get("id")
    handler = METHODS.get(str(method))
    if handler is None:
        return _error_reply(request_id, RpcError(NO_METHOD, "method not found"), "malformed")
    log: dict[str, Any] = {"action": str(method), "external_id": str(params.get("id", ""))[:100]}
    try:
        result, outcome = handler(config, params, log)
    except RpcError as error:
        return _error_reply(request_id, error, _outcome(error), **log)
    body = {"jsonrpc": "2.0", "id": request_id, "result": result}
    return Reply(json.dumps(body), content_type="application/json", outcome=outcome, **log)


def _outcome(error: RpcError) -> str:
    return {
        WRONG_AMOUNT: "amount_refused",
        TX_NOT_FOUND: "not_found",
        ACCOUNT_NOT_FOUND: "not_found",
        NOT_POSSIBLE: "refused",
    }.get(error.code, "malformed")
