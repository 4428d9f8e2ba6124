"""Paying online from the cabinet: hands over to the card gateway
(``lastmile.finance.gateways.card``), which returns its hosted page."""

from __future__ import annotations

from decimal import Decimal

import structlog
from django.urls import reverse
from django.utils.translation import gettext as _

from lastmile.cabinet.errors import CabinetError
from lastmile.customers.models import Customer
from lastmile.finance.errors import FinanceError

log = structlog.get_logger("lastmile.cabinet")


class PaymentUnavailable(CabinetError):
    """Online payment cannot start now; the message says why."""

    status = 409


def start(*, customer: Customer, amount: Decimal) -> str:
    """The URL of the payment page for ``amount``; the provider redirects the
    subscriber back to the cabinet, and its signed callback credits the payment."""
    try:
        from lastmile.finance.gateways import card
    except ImportError as exc:
        raise PaymentUnavailable(_("Online payment is not available yet.")) from exc
    return_url = reverse("cabinet:pay_return")  # a path: the gateway wants this site
    try:
        url = card.start_payment(customer=customer, amount=amount, return_url=return_url)
    except (FinanceError, ValueError) as exc:
        raise PaymentUnavailable(str(exc)) from exc
    log.info("cabinet.payment_started", customer_id=customer.pk, amount=str(amount))
    return str(url)
