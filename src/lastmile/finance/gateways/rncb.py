"""RNCB (Russian National Commercial Bank) payment-terminal protocol.

The bank calls ``GET /pay/rncb/?QueryType=…`` and reads an XML reply:

- ``check`` (Account) → ``CHECKRESPONSE`` with FIO, BALANCE;
- ``pay`` (Payment_id, Account, Summa in roubles, Exec_date ``YYYYMMDDHHMMSS``)
  → ``PAYRESPONSE`` with OUT_PAYMENT_ID (our payment id);
- ``balance`` (DateFrom, DateTo) → ``BALANCERESPONSE``: FULL_SUMMA,
  NUMBER_OF_PAYMENTS and one ``PAYMENT_ROW``
  ``Payment_id;OUT_PAYMENT_ID;Account;Summa;Exec_date`` per payment, which
  the bank reconciles against its own register.

ERROR codes: 0 ok, 1 customer not found, 10 duplicate payment (the first
payment's OUT_PAYMENT_ID is returned); lastmile answers 100 for anything else
(malformed request, amount out of range, refused source).

The protocol has no signature, so the endpoint is protected by the source
allow-list plus a shared secret (HTTP Basic password or ``X-Gateway-Key``)
and/or the client-certificate fingerprint that the TLS proxy passes in
``X-SSL-Client-Fingerprint`` (the proxy must overwrite that header).
"""

from __future__ import annotations

import base64
from datetime import datetime
from decimal import Decimal
from xml.etree import ElementTree as ET

from django.http import HttpRequest
from django.urls import URLPattern, path
from django.utils import timezone

from lastmile.finance.errors import DuplicatePaymentMismatch, InvalidAmount
from lastmile.finance.gateways.base import (
    Gateway,
    Refused,
    Reply,
    SettingField,
    callback,
    find_customer,
    register,
    secrets_equal,
)
from lastmile.finance.gateways.models import GatewayConfig
from lastmile.finance.models import Account, Payment
from lastmile.finance.money import parse_money
from lastmile.finance.services import record_payment

NAME = "rncb"
DATE_FORMAT = "%Y%m%d%H%M%S"
OK, NOT_FOUND, DUPLICATE, OTHER = 0, 1, 10, 100
ROOTS = {"check": "CHECKRESPONSE", "pay": "PAYRESPONSE", "balance": "BALANCERESPONSE"}
FINGERPRINT_HEADER = "X-SSL-Client-Fingerprint"


def _xml(root: str, fields: list[tuple[str, object]], rows: list[str] | None = None) -> str:
    element = ET.Element(root)
    for key, value in fields:
        ET.SubElement(element, key).text = str(value)
    if rows is not None:
        payments = ET.SubElement(element, "PAYMENTS")
        for row in rows:
            ET.SubElement(payments, "PAYMENT_ROW").text = row
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode")


def _root(request: HttpRequest) -> str:
    return ROOTS.get(request.GET.get("QueryType", ""), "RESPONSE")


@register
class RncbGateway(Gateway):
    name = NAME
    title = "RNCB"
    credential_fields = (
        SettingField("secret", "Shared secret", "Sent by the bank as the HTTP Basic password."),
    )
    option_fields = (
        SettingField(
            "client_cert_fingerprint",
            "Client certificate fingerprint",
            "As passed by the TLS proxy in X-SSL-Client-Fingerprint; empty: not checked.",
        ),
        SettingField(
            "account_field",
            "Account is",
            "Which customer field the bank's Account is.",
            choices=(("login", "login"), ("contract_number", "contract number")),
        ),
    )

    def url_patterns(self) -> list[URLPattern]:
        return [path("", endpoint, name="endpoint")]

    def authenticate(self, request: HttpRequest, config: GatewayConfig) -> None:
        secret = config.credential("secret")
        fingerprint = str(config.option("client_cert_fingerprint", "")).strip().lower()
        if not secret and not fingerprint:
            raise Refused("no shared secret or client certificate configured", status=503)
        if secret and not secrets_equal(_given_secret(request), secret):
            raise Refused("bad credentials", status=401, code="bad_credentials")
        given_fp = request.headers.get(FINGERPRINT_HEADER, "").strip().lower().replace(":", "")
        if fingerprint and not secrets_equal(given_fp, fingerprint.replace(":", "")):
            raise Refused("client certificate not accepted", status=403, code="bad_certificate")

    def refuse(self, request: HttpRequest, error: Refused) -> Reply:
        body = _xml(_root(request), [("ERROR", OTHER), ("COMMENTS", error.message)])
        return Reply(body, status=error.status, outcome=error.code, action=_action(request))


def _given_secret(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode()
        except ValueError:
            return ""
        return decoded.partition(":")[2]
    return request.headers.get("X-Gateway-Key", "")


def _action(request: HttpRequest) -> str:
    return request.GET.get("QueryType", "")[:40]


def _error(request: HttpRequest, code: int, comment: str, outcome: str, status: int = 200) -> Reply:
    body = _xml(_root(request), [("ERROR", code), ("COMMENTS", comment)])
    return Reply(body, status=status, outcome=outcome, action=_action(request))


def _malformed(request: HttpRequest, comment: str) -> Reply:
    return _error(request, OTHER, comment, "malformed", status=400)


@callback(NAME)
def endpoint(request: HttpRequest, config: GatewayConfig) -> Reply:
    """All three query types share one URL, as the bank expects."""
    query_type = request.GET.get("QueryType", "")
    if query_type == "check":
        return _check(request, config)
    if query_type == "pay":
        return _pay(request, config)
    if query_type == "balance":
        return _balance(request)
    return _malformed(request, "unknown QueryType")


def _check(request: HttpRequest, config: GatewayConfig) -> Reply:
    reference = request.GET.get("Account", "")
    customer = find_customer(reference, field_name=str(config.option("account_field", "login")))
    if customer is None:
        return _error(request, NOT_FOUND, "customer not found", "not_found")
    account = Account.objects.filter(pk=customer.pk).first()
    balance = account.balance if account else Decimal("0.00")
    fields: list[tuple[str, object]] = [
        ("FIO", customer.full_name),
        ("BALANCE", f"{balance:.2f}"),
        ("ERROR", OK),
        ("COMMENTS", "OK"),
    ]
    reply = Reply(_xml("CHECKRESPONSE", fields), outcome="info", action="check")
    reply.customer_id = customer.pk
    return reply


def _pay(request: HttpRequest, config: GatewayConfig) -> Reply:
    params = request.GET
    payment_id = params.get("Payment_id", "").strip()
    try:
        amount = parse_money(params.get("Summa", ""), field="Summa")
        exec_date = timezone.make_aware(datetime.strptime(params.get("Exec_date", ""), DATE_FORMAT))
    except (InvalidAmount, ValueError) as exc:
        return _malformed(request, str(exc))
    if not payment_id or len(payment_id) > 100 or amount <= 0:
        return _malformed(request, "Payment_id and a positive Summa are required")
    customer = find_customer(
        params.get("Account", ""), field_name=str(config.option("account_field", "login"))
    )
    if customer is None:
        return _error(request, NOT_FOUND, "customer not found", "not_found")
    problem = config.amount_problem(amount)
    if problem:
        return _error(request, OTHER, problem, "amount_refused")
    try:
        result = record_payment(
            customer_id=customer.pk,
            amount=amount,
            gateway=NAME,
            external_id=payment_id,
            paid_at=exec_date,
            comment="RNCB",
        )
    except DuplicatePaymentMismatch as exc:
        return _error(request, DUPLICATE, str(exc), "duplicate_mismatch")
    payment = result.payment
    code, comment = (OK, "OK") if result.created else (DUPLICATE, "duplicate payment")
    fields: list[tuple[str, object]] = [
        ("OUT_PAYMENT_ID", payment.pk),
        ("ERROR", code),
        ("COMMENTS", comment),
    ]
    reply = Reply(
        _xml("PAYRESPONSE", fields),
        outcome="credited" if result.created else "duplicate",
        action="pay",
        external_id=payment_id,
        amount=amount,
        customer_id=customer.pk,
        payment=payment,
    )
    return reply


def _balance(request: HttpRequest) -> Reply:
    try:
        since = timezone.make_aware(datetime.strptime(request.GET.get("DateFrom", ""), DATE_FORMAT))
        until = timezone.make_aware(datetime.strptime(request.GET.get("DateTo", ""), DATE_FORMAT))
    except ValueError:
        return _malformed(request, f"DateFrom and DateTo are required as {DATE_FORMAT}")
    if since >= until:
        return _malformed(request, "DateFrom must be before DateTo")
    payments = list(
        Payment.objects.filter(
            gateway=NAME, state=Payment.State.COMPLETED, paid_at__gte=since, paid_at__lte=until
        )
        .select_related("account__customer")
        .order_by("paid_at", "id")
    )
    rows = [
        ";".join(
            [
                p.external_id,
                str(p.pk),
                p.account.customer.login,
                f"{p.amount:.2f}",
                timezone.localtime(p.paid_at).strftime(DATE_FORMAT),
            ]
        )
        for p in payments
    ]
    total = sum((p.amount for p in payments), Decimal("0.00"))
    fields: list[tuple[str, object]] = [
        ("FULL_SUMMA", f"{total:.2f}"),
        ("NUMBER_OF_PAYMENTS", len(payments)),
        ("ERROR", OK),
    ]
    return Reply(_xml("BALANCERESPONSE", fields, rows), outcome="statement", action="balance")
