"""The methods of the Payme merchant API (``payme.endpoint`` dispatches to them).

Amounts arrive in tiyin and are converted with ``from_minor_units``.
Transaction states: 1 created, 2 performed, -1 cancelled, -2 cancelled after
perform (a refund: ``reverse_payment`` in the ledger).  A created transaction
older than 12 hours (from Payme's ``time``) is cancelled with reason 4 and
cannot be performed; a ``time`` more than ``MAX_CLOCK_SKEW_MS`` ahead of our
clock is refused, so every transaction can time out.  Integers are checked
against their columns (``time`` and statement bounds: bigint, ``reason``:
1..32767) and amounts go through ``from_minor_units``: out-of-range input is
an ordinary JSON-RPC error, never an internal one.

Error codes: -32300 not POST, -32700 parse error, -32600 invalid request,
-32601 unknown method, -32504 not authorised, -31001 wrong amount, -31003
transaction not found, -31008 operation not possible, -31050 account not found.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from lastmile.customers.models import Customer
from lastmile.finance.errors import FinanceError, InvalidAmount
from lastmile.finance.gateways.base import find_customer
from lastmile.finance.gateways.models import GatewayConfig, PaymeTransaction
from lastmile.finance.locks import lock_account
from lastmile.finance.money import from_minor_units, to_minor_units
from lastmile.finance.services import record_payment, reverse_payment

NAME = "payme"
TIMEOUT_MS = 12 * 60 * 60 * 1000
# Payme's clock may run a little ahead of ours; a "time" further ahead than
# this is refused (such a transaction would never reach its 12-hour timeout).
MAX_CLOCK_SKEW_MS = 5 * 60 * 1000
REASON_TIMEOUT = 4
BIGINT_MAX = 2**63 - 1
SMALLINT_MAX = 2**15 - 1
NOT_POST, PARSE_ERROR, INVALID_REQUEST, NO_METHOD = -32300, -32700, -32600, -32601
UNAUTHORISED, SYSTEM_ERROR = -32504, -32400
WRONG_AMOUNT, TX_NOT_FOUND, NOT_POSSIBLE, ACCOUNT_NOT_FOUND = -31001, -31003, -31008, -31050
STATE_CODES = {
    PaymeTransaction.State.CREATED: 1,
    PaymeTransaction.State.PERFORMED: 2,
    PaymeTransaction.State.CANCELLED: -1,
    PaymeTransaction.State.CANCELLED_AFTER_PERFORM: -2,
}
S = PaymeTransaction.State


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class RpcError(Exception):
    code: int
    message: str
    data: str | None = None


# Validation ---------------------------------------------------------------------------


def _amount(config: GatewayConfig, params: dict[str, Any]) -> Any:
    raw = params.get("amount")
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise RpcError(WRONG_AMOUNT, "amount must be a whole number of tiyin", "amount")
    try:
        amount = from_minor_units(raw)
    except InvalidAmount as exc:
        raise RpcError(WRONG_AMOUNT, str(exc), "amount") from exc
    if amount <= 0 or config.amount_problem(amount):
        raise RpcError(WRONG_AMOUNT, config.amount_problem(amount) or "wrong amount", "amount")
    return amount


def _whole(value: Any, *, low: int, high: int) -> int | None:
    """``value`` when it is a JSON integer within [low, high], else None."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def _payme_time(params: dict[str, Any]) -> int:
    """Payme's ``time`` (ms): an integer, not older than 12 hours, not in the future."""
    payme_time = _whole(params.get("time"), low=0, high=BIGINT_MAX)
    if payme_time is None:
        raise RpcError(INVALID_REQUEST, "time must be a whole number of milliseconds", "time")
    if now_ms() - payme_time > TIMEOUT_MS:
        raise RpcError(NOT_POSSIBLE, "transaction is too old", "time")
    if payme_time - now_ms() > MAX_CLOCK_SKEW_MS:
        raise RpcError(NOT_POSSIBLE, "transaction time is in the future", "time")
    return payme_time


def _customer(config: GatewayConfig, params: dict[str, Any]) -> Customer:
    key = str(config.option("account_key", "") or "login")
    account = params.get("account")
    reference = str(account.get(key, "")) if isinstance(account, dict) else ""
    field_name = (
        "contract_number" if config.option("account_field") == "contract_number" else "login"
    )
    customer = find_customer(reference, field_name=field_name)
    if customer is None:
        raise RpcError(ACCOUNT_NOT_FOUND, "customer not found", key)
    return customer


def _transaction(params: dict[str, Any]) -> PaymeTransaction:
    tx = PaymeTransaction.objects.filter(payme_id=str(params.get("id", ""))).first()
    if tx is None:
        raise RpcError(TX_NOT_FOUND, "transaction not found", "id")
    return tx


def _created_result(tx: PaymeTransaction) -> dict[str, Any]:
    return {
        "create_time": tx.create_time_ms,
        "transaction": str(tx.pk),
        "state": STATE_CODES[S(tx.state)],
    }


# Methods --------------------------------------------------------------------------------

Result = tuple[dict[str, Any], str]


def check_perform(config: GatewayConfig, params: dict[str, Any], log: dict[str, Any]) -> Result:
    customer = _customer(config, params)
    log["customer_id"] = customer.pk
    log["amount"] = _amount(config, params)
    return {"allow": True}, "info"


def create(config: GatewayConfig, params: dict[str, Any], log: dict[str, Any]) -> Result:
    payme_id = str(params.get("id", ""))
    if not payme_id or len(payme_id) > 100 or "time" not in params:
        raise RpcError(INVALID_REQUEST, "id and time are required")
    existing = PaymeTransaction.objects.filter(payme_id=payme_id).first()
    if existing is not None:
        return _repeat_create(existing, log), "duplicate"
    customer = _customer(config, params)
    amount = _amount(config, params)
    log.update(customer_id=customer.pk, amount=amount)
    payme_time = _payme_time(params)
    try:
        with transaction.atomic():
            tx = PaymeTransaction.objects.create(
                payme_id=payme_id,
                customer=customer,
                amount=amount,
                payme_time_ms=payme_time,
                create_time_ms=now_ms(),
            )
    except IntegrityError:  # a concurrent CreateTransaction with the same id won
        return _repeat_create(PaymeTransaction.objects.get(payme_id=payme_id), log), "duplicate"
    return _created_result(tx), "created"


def _repeat_create(tx: PaymeTransaction, log: dict[str, Any]) -> dict[str, Any]:
    log.update(customer_id=tx.customer_id, amount=tx.amount)
    if tx.state != S.CREATED:
        raise RpcError(NOT_POSSIBLE, "transaction is not in state created")
    if _expire_if_old(tx):
        raise RpcError(NOT_POSSIBLE, "transaction timed out and was cancelled")
    return _created_result(tx)


def _expire_if_old(tx: PaymeTransaction) -> bool:
    """Cancel a created transaction older than 12 hours (reason 4)."""
    if tx.state != S.CREATED or now_ms() - tx.payme_time_ms <= TIMEOUT_MS:
        return False
    PaymeTransaction.objects.filter(pk=tx.pk, state=S.CREATED).update(
        state=S.CANCELLED, cancel_time_ms=now_ms(), reason=REASON_TIMEOUT
    )
    return True


def perform(config: GatewayConfig, params: dict[str, Any], log: dict[str, Any]) -> Result:
    found = _transaction(params)
    log.update(customer_id=found.customer_id, amount=found.amount)
    with transaction.atomic():
        lock_account(found.customer_id)  # accounts first, as everywhere
        tx = PaymeTransaction.objects.select_for_update().get(pk=found.pk)
        if tx.state == S.PERFORMED:
            return _performed_result(tx), "duplicate"
        if tx.state != S.CREATED or _expire_if_old(tx):
            expired = True
        else:
            expired = False
            result = record_payment(
                customer_id=tx.customer_id,
                amount=tx.amount,
                gateway=NAME,
                external_id=tx.payme_id,
                comment="Payme",
            )
            tx.state, tx.payment, tx.perform_time_ms = S.PERFORMED, result.payment, now_ms()
            tx.save(update_fields=["state", "payment", "perform_time_ms"])
            log["payment"] = result.payment
    if expired:  # the cancellation above is committed; answer with the error
        raise RpcError(NOT_POSSIBLE, "transaction cannot be performed")
    return _performed_result(tx), "credited"


def _performed_result(tx: PaymeTransaction) -> dict[str, Any]:
    return {"transaction": str(tx.pk), "perform_time": tx.perform_time_ms, "state": 2}


def cancel(config: GatewayConfig, params: dict[str, Any], log: dict[str, Any]) -> Result:
    found = _transaction(params)
    reason = _whole(params.get("reason"), low=1, high=SMALLINT_MAX)
    if reason is None:
        raise RpcError(INVALID_REQUEST, "reason must be a whole number from 1", "reason")
    log.update(customer_id=found.customer_id, amount=found.amount)
    with transaction.atomic():
        lock_account(found.customer_id)
        tx = PaymeTransaction.objects.select_for_update().get(pk=found.pk)
        outcome = "cancelled"
        if tx.state == S.CREATED:
            tx.state = S.CANCELLED
        elif tx.state == S.PERFORMED:
            assert tx.payment is not None  # a database constraint
            try:
                reverse_payment(
                    payment=tx.payment,
                    reason=f"Payme cancel, reason {reason}",
                    actor_label="gateway:payme",
                )
            except FinanceError as exc:
                raise RpcError(-31007, str(exc)) from exc
            tx.state, outcome = S.CANCELLED_AFTER_PERFORM, "reversed"
        else:
            outcome = "duplicate"
        if outcome != "duplicate":
            tx.cancel_time_ms = now_ms()
            tx.reason = reason
            tx.save(update_fields=["state", "cancel_time_ms", "reason"])
    result = {
        "transaction": str(tx.pk),
        "cancel_time": tx.cancel_time_ms,
        "state": STATE_CODES[S(tx.state)],
    }
    return result, outcome


def check(config: GatewayConfig, params: dict[str, Any], log: dict[str, Any]) -> Result:
    tx = _transaction(params)
    log.update(customer_id=tx.customer_id)
    return {
        "create_time": tx.create_time_ms,
        "perform_time": tx.perform_time_ms,
        "cancel_time": tx.cancel_time_ms,
        "transaction": str(tx.pk),
        "state": STATE_CODES[S(tx.state)],
        "reason": tx.reason,
    }, "status"


def statement(config: GatewayConfig, params: dict[str, Any], log: dict[str, Any]) -> Result:
    since = _whole(params.get("from"), low=0, high=BIGINT_MAX)
    until = _whole(params.get("to"), low=0, high=BIGINT_MAX)
    if since is None or until is None:
        raise RpcError(INVALID_REQUEST, "from and to are required (milliseconds)")
    key = str(config.option("account_key", "") or "login")
    rows = PaymeTransaction.objects.filter(payme_time_ms__gte=since, payme_time_ms__lte=until)
    transactions = [
        {
            "id": tx.payme_id,
            "time": tx.payme_time_ms,
            "amount": to_minor_units(tx.amount),
            "account": {key: tx.customer.login},
            "create_time": tx.create_time_ms,
            "perform_time": tx.perform_time_ms,
            "cancel_time": tx.cancel_time_ms,
            "transaction": str(tx.pk),
            "state": STATE_CODES[S(tx.state)],
            "reason": tx.reason,
            "receivers": None,
        }
        for tx in rows.select_related("customer").order_by("payme_time_ms", "pk")
    ]
    return {"transactions": transactions}, "statement"


def change_password(config: GatewayConfig, params: dict[str, Any], log: dict[str, Any]) -> Result:
    password = params.get("password")
    if not isinstance(password, str) or not password:
        raise RpcError(INVALID_REQUEST, "password is required")
    credentials = config.get_credentials()
    credentials["key"] = password
    config.set_credentials(credentials)
    config.save(update_fields=["credentials_encrypted", "updated_at"])
    return {"success": True}, "password_changed"


METHODS = {
    "CheckPerformTransaction": check_perform,
    "CreateTransaction": create,
    "PerformTransaction": perform,
    "CancelTransaction": cancel,
    "CheckTransaction": check,
    "GetStatement": statement,
    "ChangePassword": change_password,
}
