"""The promised payment: a subscriber takes a short credit to continue a tariff;
and what the cashier desk shows a payment will renew (``desk_renewal``).

A use case of subscriptions (it exists to pay for the next period), built on
finance's credit limit: finance keeps the money rules (``set_credit``, the
account lock), this module decides whether the credit is granted and resumes
the subscription after it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.customers.models import Customer
from lastmile.finance.cashier import Renewal
from lastmile.finance.errors import PromisedPaymentRefused
from lastmile.finance.locks import lock_account
from lastmile.finance.models import Account
from lastmile.finance.money import to_money
from lastmile.finance.services import set_credit
from lastmile.subscriptions.after_payment import next_renewal_price, resume_after_credit
from lastmile.subscriptions.services import current_subscription, pending_preorder


def take_promised_payment(*, customer_id: int, at: datetime | None = None) -> Account:
    """A subscriber's promised payment: credit of LASTMILE_PROMISED_PAYMENT_AMOUNT
    for LASTMILE_PROMISED_PAYMENT_DAYS, then the payment hooks' renewal logic.

    Allowed only for an active customer, when the balance does not cover the
    next tariff charge but would with the promised amount, without a permanent
    credit limit, and at most once per LASTMILE_PROMISED_PAYMENT_INTERVAL_DAYS
    (any temporary credit counts).  Refusals raise ``PromisedPaymentRefused``.
    """
    conf = settings.LASTMILE
    at = at or timezone.now()
    amount = to_money(conf.promised_payment_amount)
    with transaction.atomic():
        account = lock_account(customer_id)
        _check_promised_payment(account, Customer.objects.get(pk=customer_id), amount, at)
        needed = next_renewal_price(customer_id)
        if needed is None:
            raise PromisedPaymentRefused(
                _("There is no tariff to renew; a promised payment is for continuing a tariff.")
            )
        if account.balance >= needed:
            raise PromisedPaymentRefused(
                _("Your balance already covers the next charge of %(needed)s.") % {"needed": needed}
            )
        if account.balance + amount < needed:
            raise PromisedPaymentRefused(
                _(
                    "A promised payment of %(amount)s would not cover the next charge of "
                    "%(needed)s; please top up the balance."
                )
                % {"amount": amount, "needed": needed}
            )
        account = set_credit(
            customer_id=customer_id,
            limit=amount,
            until=at + timedelta(days=conf.promised_payment_days),
        )
        resume_after_credit(customer_id=customer_id)
        account.refresh_from_db()
        return account


def _check_promised_payment(account: Account, customer: Any, amount: Decimal, at: datetime) -> None:
    conf = settings.LASTMILE
    if not conf.promised_payment_enabled or amount <= 0:
        raise PromisedPaymentRefused(_("Promised payments are not offered."))
    if not customer.is_active:
        raise PromisedPaymentRefused(_("The contract is not active; contact the office."))
    if account.credit_limit > 0 and account.credit_until is None:
        raise PromisedPaymentRefused(_("You already have a permanent credit limit."))
    if account.credit_limit > 0 and account.credit_until is not None and account.credit_until > at:
        raise PromisedPaymentRefused(
            _("A promised payment is already in force until %(until)s.")
            % {"until": timezone.localtime(account.credit_until).strftime("%d.%m.%Y %H:%M")}
        )
    days = conf.promised_payment_interval_days
    recent = account.credit_limit_credit_until_events.filter(  # type: ignore[attr-defined]
        credit_until__isnull=False, pgh_created_at__gt=at - timedelta(days=days)
    )
    if days and recent.exists():
        raise PromisedPaymentRefused(
            _("A promised payment can be taken once in %(days)s days.") % {"days": days}
        )


def desk_renewal(customer_id: int) -> Renewal:
    """For the cashier desk: the active tariff and what the next payment will renew."""
    current = current_subscription(customer_id)
    renewal = next_renewal_price(customer_id)
    preorder = pending_preorder(customer_id)
    renewal_tariff = None
    if renewal is not None:
        source = preorder or current
        renewal_tariff = source.tariff.name if source is not None else None
    return Renewal(
        tariff_name=current.tariff.name if current else None,
        tariff_price=current.tariff.price if current else None,
        renewal_price=renewal,
        renewal_tariff=renewal_tariff,
    )
