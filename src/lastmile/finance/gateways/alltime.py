"""AllTime payment kiosks.

The kiosk network calls ``GET /pay/alltime/?ACT=…`` and reads a
``<pay-response>`` XML document:

- ``ACT=1`` (PAY_ACCOUNT): customer info, balance, min/max amount; status 21;
- ``ACT=4`` (PAY_ACCOUNT, PAY_ID, PAY_AMOUNT in roubles, TRADE_POINT,
  RECEIPT_NUM): the payment; status 22.  A repeat of the same PAY_ID returns
  the first result again and credits nothing;
- ``ACT=7`` (PAY_ID): the payment's status; status 11, transaction status 111.

``SIGN`` is MD5 over ``ACT_PAY_ACCOUNT_SERVICE_ID_PAY_ID_SECRET`` (hex) and is
checked before anything else.  It does not cover PAY_AMOUNT, so the amount is
bound to the request in one of two ways (option ``amount_binding``):

- ``check`` (the default): the check step ``ACT=1`` carries PAY_ID and
  PAY_AMOUNT and fixes that amount for the PAY_ID (``AllTimeCheck``, once);
  ``ACT=4`` is credited only with the fixed amount.  A pay without a check,
  or with another amount, is refused with -101 and credits nothing;
- ``signature``: the provider signs ``ACT=4`` with the extended SIGN, MD5 over
  ``ACT_PAY_ACCOUNT_SERVICE_ID_PAY_ID_PAY_AMOUNT_SECRET``; no check step is
  needed.  ``ACT=1`` and ``ACT=7`` keep the plain SIGN.
  Error statuses: -10 transaction not found,
-40 customer not found, -41 payment not allowed for the customer, -42 amount
not allowed, -90 service unavailable, -101 bad request (or bad signature).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from xml.etree import ElementTree as ET

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import URLPattern, path
from django.utils import timezone

from lastmile.customers.models import Customer
from lastmile.finance.errors import DuplicatePaymentMismatch, InvalidAmount
from lastmile.finance.gateways.base import (
    Gateway,
    Refused,
    Reply,
    SettingField,
    callback,
    register,
    secrets_equal,
)
from lastmile.finance.gateways.models import AllTimeCheck, GatewayConfig
from lastmile.finance.models import Account, Payment
from lastmile.finance.money import parse_money
from lastmile.finance.services import record_payment

NAME = "alltime"
ACT_INFO, ACT_PAY, ACT_CHECK = "1", "4", "7"
INFO_OK, PAY_OK, STATUS_KNOWN = 21, 22, 11
TX_NOT_FOUND, NOT_FOUND, DENIED, AMOUNT_REFUSED = -10, -40, -41, -42
UNAVAILABLE, BAD_REQUEST = -90, -101
TX_PAID, TX_CANCELLED = 111, 130
TIME_FORMAT = "%d.%m.%Y %H:%M"


BIND_BY_CHECK, BIND_BY_SIGNATURE = "check", "signature"
SIGNED = ("ACT", "PAY_ACCOUNT", "SERVICE_ID", "PAY_ID")


def signature(params: dict[str, str], secret: str, *, with_amount: bool = False) -> str:
    """The MD5 SIGN; ``with_amount``: the extended SIGN that covers PAY_AMOUNT too."""
    keys = (*SIGNED, "PAY_AMOUNT") if with_amount else SIGNED
    parts = [params.get(k, "") for k in keys]
    return hashlib.md5("_".join([*parts, secret]).encode(), usedforsecurity=False).hexdigest()


def amount_binding(config: GatewayConfig) -> str:
    """How PAY_AMOUNT is bound to a signed pay request (see the module docstring)."""
    chosen = str(config.option("amount_binding", "") or BIND_BY_CHECK)
    return BIND_BY_SIGNATURE if chosen == BIND_BY_SIGNATURE else BIND_BY_CHECK


def _xml(
    fields: list[tuple[str, object]], nested: dict[str, list[tuple[str, object]]] | None = None
) -> str:
    root = ET.Element("pay-response")
    for key, value in fields:
        ET.SubElement(root, key).text = str(value)
    for name, children in (nested or {}).items():
        element = ET.SubElement(root, name)
        for key, value in children:
            ET.SubElement(element, key).text = str(value)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _now() -> str:
    return timezone.localtime().strftime(TIME_FORMAT)


def _status(
    request: HttpRequest, code: int, description: str, outcome: str, http: int = 200
) -> Reply:
    fields: list[tuple[str, object]] = [
        ("status_code", code),
        ("time_stamp", _now()),
        ("description", description),
    ]
    return Reply(_xml(fields), status=http, outcome=outcome, action=_action(request))


def _action(request: HttpRequest) -> str:
    return {ACT_INFO: "info", ACT_PAY: "pay", ACT_CHECK: "check"}.get(
        request.GET.get("ACT", ""), ""
    )


@register
class AllTimeGateway(Gateway):
    name = NAME
    title = "AllTime"
    credential_fields = (SettingField("secret", "Secret", "Part of the MD5 SIGN."),)
    option_fields = (
        SettingField("service_id", "Service id", "SERVICE_ID assigned by AllTime."),
        SettingField("account_field", "Account is", "login or contract_number"),
        SettingField(
            "amount_binding",
            "Amount bound by",
            "SIGN does not cover PAY_AMOUNT: either the check step (ACT=1 with PAY_ID and "
            "PAY_AMOUNT) fixes the amount, or the provider signs PAY_AMOUNT too.",
            choices=(
                (BIND_BY_CHECK, "check step fixes the amount"),
                (BIND_BY_SIGNATURE, "extended SIGN covers PAY_AMOUNT"),
            ),
        ),
    )
    masked_params = frozenset({"SIGN"})

    def url_patterns(self) -> list[URLPattern]:
        return [path("", endpoint, name="endpoint")]

    def authenticate(self, request: HttpRequest, config: GatewayConfig) -> None:
        secret = config.credential("secret")
        if not secret:
            raise Refused("no secret configured", status=503, code="disabled")
        given = request.GET.get("SIGN", "").strip().lower()
        with_amount = (
            request.GET.get("ACT", "") == ACT_PAY and amount_binding(config) == BIND_BY_SIGNATURE
        )
        expected = signature(request.GET.dict(), secret, with_amount=with_amount)
        if not secrets_equal(given, expected):
            raise Refused("bad SIGN", status=403, code="bad_signature")

    def refuse(self, request: HttpRequest, error: Refused) -> Reply:
        code = UNAVAILABLE if error.status >= 500 else BAD_REQUEST
        return _status(request, code, error.message, error.code, http=error.status)


@callback(NAME)
def endpoint(request: HttpRequest, config: GatewayConfig) -> Reply:
    """One URL for all ACT values."""
    act = request.GET.get("ACT", "")
    service_id = str(config.option("service_id", ""))
    if service_id and request.GET.get("SERVICE_ID", "") != service_id:
        return _status(request, BAD_REQUEST, "unknown SERVICE_ID", "malformed", http=400)
    if act == ACT_INFO:
        return _info(request, config)
    if act == ACT_PAY:
        return _pay(request, config)
    if act == ACT_CHECK:
        return _check(request)
    return _status(request, BAD_REQUEST, "ACT must be 1, 4 or 7", "malformed", http=400)


def _customer(request: HttpRequest, config: GatewayConfig) -> Customer | None:
    reference = request.GET.get("PAY_ACCOUNT", "").strip()
    if not reference:
        return None
    field = "contract_number" if config.option("account_field") == "contract_number" else "login"
    return Customer.objects.filter(**{field: reference}).first()


def _info(request: HttpRequest, config: GatewayConfig) -> Reply:
    customer = _customer(request, config)
    if customer is None:
        return _status(request, NOT_FOUND, "account not found", "not_found")
    fixed: list[tuple[str, object]] = []
    if request.GET.get("PAY_ID", "").strip():
        amount = _fix_amount(request, config)
        if isinstance(amount, Reply):
            return amount
        fixed = [("pay_id", request.GET["PAY_ID"].strip()), ("amount", f"{amount:.2f}")]
    account = Account.objects.filter(pk=customer.pk).first()
    balance = account.balance if account else Decimal("0.00")
    fields: list[tuple[str, object]] = [
        *fixed,
        ("balance", f"{balance:.2f}"),
        ("name", customer.full_name),
        ("account", customer.login),
        ("service_id", request.GET.get("SERVICE_ID", "")),
        ("min_amount", config.min_amount if config.min_amount is not None else ""),
        ("max_amount", config.max_amount if config.max_amount is not None else ""),
        ("status_code", INFO_OK),
        ("time_stamp", _now()),
    ]
    return Reply(_xml(fields), outcome="info", action="info", customer_id=customer.pk)


def _payable(request: HttpRequest, config: GatewayConfig) -> tuple[Customer, Decimal] | Reply:
    """PAY_ID, PAY_AMOUNT and the account of a check or pay request, or the refusal."""
    pay_id = request.GET.get("PAY_ID", "").strip()
    try:
        amount = parse_money(request.GET.get("PAY_AMOUNT", ""), field="PAY_AMOUNT")
    except InvalidAmount as exc:
        return _status(request, BAD_REQUEST, str(exc), "malformed", http=400)
    if not pay_id or len(pay_id) > 100 or amount <= 0:
        return _status(
            request,
            BAD_REQUEST,
            "PAY_ID and a positive PAY_AMOUNT are required",
            "malformed",
            http=400,
        )
    customer = _customer(request, config)
    if customer is None:
        return _status(request, NOT_FOUND, "account not found", "not_found")
    if not customer.is_active:
        return _status(request, DENIED, "payments to this account are not accepted", "refused")
    problem = config.amount_problem(amount)
    if problem:
        return _status(request, AMOUNT_REFUSED, problem, "amount_refused")
    return customer, amount


def _fix_amount(request: HttpRequest, config: GatewayConfig) -> Decimal | Reply:
    """The check step: fix PAY_AMOUNT for PAY_ID, once; a repeat must agree."""
    checked = _payable(request, config)
    if isinstance(checked, Reply):
        return checked
    customer, amount = checked
    pay_id = request.GET["PAY_ID"].strip()
    try:
        with transaction.atomic():
            fixed, _created = AllTimeCheck.objects.get_or_create(
                pay_id=pay_id, defaults={"customer": customer, "amount": amount}
            )
    except IntegrityError:  # a concurrent check of the same PAY_ID won
        fixed = AllTimeCheck.objects.get(pay_id=pay_id)
    if fixed.customer_id != customer.pk or fixed.amount != amount:
        return _status(
            request,
            BAD_REQUEST,
            f"PAY_ID {pay_id} was already checked with another account or amount",
            "duplicate_mismatch",
            http=400,
        )
    return amount


def _unbound_amount(
    request: HttpRequest, config: GatewayConfig, customer: Customer, amount: Decimal
) -> Reply | None:
    """Refuse a pay whose amount no check step fixed (in the default binding)."""
    if amount_binding(config) == BIND_BY_SIGNATURE:
        return None  # the extended SIGN covered PAY_AMOUNT already
    pay_id = request.GET["PAY_ID"].strip()
    fixed = AllTimeCheck.objects.filter(pay_id=pay_id).first()
    if fixed is None:
        message = f"PAY_ID {pay_id} was not checked first (ACT=1 with PAY_ID and PAY_AMOUNT)"
    elif fixed.customer_id != customer.pk or fixed.amount != amount:
        message = f"PAY_AMOUNT differs from the amount checked for PAY_ID {pay_id}"
    else:
        return None
    return _status(request, BAD_REQUEST, f"{message}; nothing was credited", "refused", http=400)


def _pay(request: HttpRequest, config: GatewayConfig) -> Reply:
    payable = _payable(request, config)
    if isinstance(payable, Reply):
        return payable
    customer, amount = payable
    refusal = _unbound_amount(request, config, customer, amount)
    if refusal is not None:
        return refusal
    pay_id = request.GET["PAY_ID"].strip()
    receipt = request.GET.get("RECEIPT_NUM", "")[:64]
    trade_point = request.GET.get("TRADE_POINT", "")[:100]
    try:
        result = record_payment(
            customer_id=customer.pk,
            amount=amount,
            gateway=NAME,
            external_id=pay_id,
            receipt_number=receipt,
            comment=f"AllTime {trade_point}".strip(),
        )
    except DuplicatePaymentMismatch as exc:
        return _status(request, BAD_REQUEST, str(exc), "duplicate_mismatch")
    fields: list[tuple[str, object]] = [
        ("pay_id", pay_id),
        ("service_id", request.GET.get("SERVICE_ID", "")),
        ("amount", f"{result.payment.amount:.2f}"),
        ("status_code", PAY_OK),
        ("time_stamp", timezone.localtime(result.payment.paid_at).strftime(TIME_FORMAT)),
    ]
    return Reply(
        _xml(fields),
        outcome="credited" if result.created else "duplicate",
        action="pay",
        external_id=pay_id,
        amount=amount,
        customer_id=customer.pk,
        payment=result.payment,
    )


def _check(request: HttpRequest) -> Reply:
    pay_id = request.GET.get("PAY_ID", "").strip()
    payment = Payment.objects.filter(gateway=NAME, external_id=pay_id).first() if pay_id else None
    if payment is None:
        return _status(request, TX_NOT_FOUND, "transaction not found", "not_found")
    transaction_fields: list[tuple[str, object]] = [
        ("pay_id", pay_id),
        ("service_id", request.GET.get("SERVICE_ID", "")),
        ("amount", f"{payment.amount:.2f}"),
        ("status", TX_PAID if payment.state == Payment.State.COMPLETED else TX_CANCELLED),
        ("time_stamp", timezone.localtime(payment.paid_at).strftime(TIME_FORMAT)),
    ]
    fields: list[tuple[str, object]] = [("status_code", STATUS_KNOWN), ("time_stamp", _now())]
    return Reply(
        _xml(fields, {"transaction": transaction_fields}),
        outcome="status",
        action="check",
        external_id=pay_id,
        customer_id=payment.account_id,
    )
