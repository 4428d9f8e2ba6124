"""A generic redirect-style card gateway: the cabinet's "pay online".

Flow: ``start_payment`` stores an intent and returns the URL of the hosted
payment page; the customer pays there; the provider calls
``/pay/card/callback/`` server-to-server with a JSON notification signed by
HMAC-SHA256 over the whole raw body (hex, header ``X-Signature``) and sends
the browser back to the return URL.  Amounts travel in minor units (kopecks).

In test mode (or ``LASTMILE_DEMO``) the hosted page is lastmile's own
``/pay/card/test-provider/<intent>/`` with "Pay" and "Decline" buttons, so
the whole flow works offline.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
import uuid
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from lastmile.customers.models import Customer
from lastmile.finance.errors import FinanceError, InvalidAmount
from lastmile.finance.gateways.base import (
    DayTotals,
    Gateway,
    GatewayUnavailable,
    Refused,
    Reply,
    SettingField,
    callback,
    register,
    secrets_equal,
    sum_by_day,
)
from lastmile.finance.gateways.models import CardPaymentIntent, GatewayConfig
from lastmile.finance.locks import lock_account
from lastmile.finance.money import from_minor_units, to_minor_units, to_money, within_maximum
from lastmile.finance.services import record_payment

NAME = "card"
SIGNATURE_HEADER = "X-Signature"
PROVIDER_TIMEOUT_S = 15
# The provider's final statuses and the state each settles a pending intent to.
SETTLES_TO = {
    "paid": CardPaymentIntent.State.PAID,
    "declined": CardPaymentIntent.State.DECLINED,
}


class InvalidReturnUrl(FinanceError):
    pass


def sign(body: bytes, secret: str) -> str:
    """HMAC-SHA256 of the whole body, hex."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def start_payment(*, customer: Customer, amount: Decimal, return_url: str) -> str:
    """Start a card payment of ``amount`` for ``customer``; return the URL of
    the hosted payment page to redirect the browser to.

    ``return_url`` must be on this site (a path such as ``/cabinet/``): the
    browser comes back there after paying or declining.  Raises
    ``GatewayUnavailable`` when the card gateway is off, ``InvalidAmount``
    outside the configured range, ``InvalidReturnUrl`` for a foreign URL.
    """
    config = GatewayConfig.objects.filter(name=NAME, is_enabled=True).first()
    if config is None:
        raise GatewayUnavailable("Online card payment is not available at the moment.")
    amount = within_maximum(to_money(amount))
    if amount <= 0:
        raise InvalidAmount("A payment must be positive.")
    problem = config.amount_problem(amount)
    if problem:
        raise InvalidAmount(f"Card payment refused: {problem}.")
    if not url_has_allowed_host_and_scheme(return_url, allowed_hosts=set(settings.ALLOWED_HOSTS)):
        raise InvalidReturnUrl("The return address must be on this site.")
    intent = CardPaymentIntent.objects.create(
        customer=customer, amount=amount, return_url=return_url
    )
    if config.mode == GatewayConfig.Mode.TEST:
        return reverse("pay:card:test_provider", args=[intent.pk])
    return _hosted_page_url(config, intent)


def _hosted_page_url(config: GatewayConfig, intent: CardPaymentIntent) -> str:
    base = str(config.option("public_base_url", "")).rstrip("/")
    params = {
        "merchant": str(config.option("merchant_id", "")),
        "order": str(intent.pk),
        "amount": str(to_minor_units(intent.amount)),
        "currency": str(config.option("currency", "RUB")),
        "callback_url": base + reverse("pay:card:callback"),
        "return_url": base + intent.return_url if intent.return_url.startswith("/") else "",
    }
    query = urlencode(params)
    params["signature"] = sign(query.encode(), config.credential("secret"))
    return f"{config.option('page_url', '')}?{urlencode(params)}"


@register
class CardGateway(Gateway):
    name = NAME
    title = "Card payments (hosted page)"
    credential_fields = (SettingField("secret", "Notification secret", "HMAC-SHA256 key."),)
    option_fields = (
        SettingField("page_url", "Hosted payment page URL", "The provider's payment page."),
        SettingField("merchant_id", "Merchant id"),
        SettingField("currency", "Currency", "ISO code, e.g. RUB."),
        SettingField("public_base_url", "Public base URL of lastmile", "https://billing.example"),
    )

    def url_patterns(self) -> list[URLPattern]:
        return [
            path("callback/", notification, name="callback"),
            path("test-provider/<uuid:intent_id>/", test_provider, name="test_provider"),
        ]

    def authenticate(self, request: HttpRequest, config: GatewayConfig) -> None:
        given = request.headers.get(SIGNATURE_HEADER, "").strip().lower()
        if not secrets_equal(given, sign(request.body, config.credential("secret"))):
            raise Refused("bad signature", status=403, code="bad_signature")

    def provider_totals(self, *, since: Any, until: Any) -> DayTotals:
        rows = CardPaymentIntent.objects.filter(
            state=CardPaymentIntent.State.PAID,
            completed_at__date__gte=since,
            completed_at__date__lte=until,
        ).values_list("completed_at", "amount")
        return sum_by_day((timezone.localdate(at), amount) for at, amount in rows)


def _reply(status: int, outcome: str, **fields: Any) -> Reply:
    body = {"status": outcome, **fields}
    return Reply(
        json.dumps(body, default=str),
        content_type="application/json",
        status=status,
        outcome=outcome,
        action="notification",
    )


@callback(NAME, methods=("POST",))
def notification(request: HttpRequest, config: GatewayConfig) -> Reply:
    """The provider's signed notification: paid or declined."""
    try:
        data = json.loads(request.body)
        intent_id = uuid.UUID(str(data["intent_id"]))
        status = str(data["status"])
        amount = from_minor_units(data["amount"])
        transaction_id = str(data.get("transaction_id", ""))[:100]
    except (ValueError, KeyError, TypeError, InvalidAmount) as exc:
        raise Refused(f"malformed notification: {exc}", status=400, code="malformed") from exc
    intent = CardPaymentIntent.objects.filter(pk=intent_id).first()
    if intent is None:
        raise Refused("unknown payment", status=404, code="not_found")
    if amount != intent.amount:
        raise Refused("amount differs from the payment's", status=400, code="amount_mismatch")
    reply = _apply(intent, status, transaction_id)
    reply.external_id, reply.amount, reply.customer_id = str(intent.pk), amount, intent.customer_id
    return reply


def _apply(intent: CardPaymentIntent, status: str, transaction_id: str) -> Reply:
    """The intent's state machine, under its row lock: only a pending intent
    moves (to paid or declined), once; every later notification is answered
    from the state that won.  The account is locked first, as everywhere, so
    a concurrent "paid" and "declined" cannot both settle."""
    target = SETTLES_TO.get(status)
    if target is None:
        raise Refused(f"unknown status {status!r}", status=400, code="malformed")
    with transaction.atomic():
        lock_account(intent.customer_id)
        locked = CardPaymentIntent.objects.select_for_update().get(pk=intent.pk)
        if locked.state == CardPaymentIntent.State.PENDING:
            return _settle(locked, target, transaction_id)
        if locked.state == CardPaymentIntent.State.DECLINED and target != locked.state:
            raise Refused("this payment was declined", status=409, code="conflict")
        fields = {"payment": locked.payment_id} if locked.payment_id else {}
        reply = _reply(200, "duplicate", **fields)
        reply.payment = locked.payment
        return reply


def _settle(intent: CardPaymentIntent, target: str, transaction_id: str) -> Reply:
    """Move a locked pending intent to ``target``; a paid one is credited."""
    intent.state, intent.completed_at = target, timezone.now()
    intent.provider_transaction_id = transaction_id
    if target == CardPaymentIntent.State.DECLINED:
        intent.save(update_fields=["state", "completed_at", "provider_transaction_id"])
        return _reply(200, "declined")
    result = record_payment(
        customer_id=intent.customer_id,
        amount=intent.amount,
        gateway=NAME,
        external_id=str(intent.pk),
        receipt_number=transaction_id[:64],
        comment=_("Card payment"),
    )
    intent.payment = result.payment
    intent.save(update_fields=["state", "completed_at", "provider_transaction_id", "payment"])
    reply = _reply(200, "credited" if result.created else "duplicate", payment=result.payment.pk)
    reply.payment = result.payment
    return reply


# The local test provider ------------------------------------------------------------


def _test_provider_allowed(config: GatewayConfig | None) -> bool:
    if config is None:
        return False
    return bool(settings.LASTMILE.demo) or config.mode == GatewayConfig.Mode.TEST


def test_provider(request: HttpRequest, intent_id: uuid.UUID) -> HttpResponse:
    """A stand-in for the provider's hosted page (test mode and demo only)."""
    config = GatewayConfig.objects.filter(name=NAME).first()
    if config is None or not _test_provider_allowed(config):
        raise Http404
    intent = get_object_or_404(CardPaymentIntent, pk=intent_id)
    error = ""
    if request.method == "POST":
        choice = "paid" if request.POST.get("action") == "pay" else "declined"
        error = _notify(request, config, intent, choice)
        if not error:
            return HttpResponseRedirect(intent.return_url)
    return render(
        request,
        "gateways/test_provider.html",
        {"intent": intent, "error": error, "title": _("Test payment provider")},
    )


def _notify(
    request: HttpRequest, config: GatewayConfig, intent: CardPaymentIntent, status: str
) -> str:
    """POST the signed notification to our callback, as a provider would."""
    body = json.dumps(
        {
            "intent_id": str(intent.pk),
            "transaction_id": f"test-{uuid.uuid4().hex[:16]}",
            "status": status,
            "amount": to_minor_units(intent.amount),
            "currency": str(config.option("currency", "RUB")),
        }
    ).encode()
    url = request.build_absolute_uri(reverse("pay:card:callback"))
    notify = urllib.request.Request(  # noqa: S310 - our own callback URL
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(body, config.credential("secret")),
        },
    )
    try:
        with urllib.request.urlopen(notify, timeout=PROVIDER_TIMEOUT_S) as response:  # noqa: S310
            response.read()
    except (urllib.error.URLError, OSError) as exc:
        return _("The payment service could not be notified: %(error)s") % {"error": exc}
    return ""
