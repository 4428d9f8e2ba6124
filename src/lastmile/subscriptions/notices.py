"""Customer notifications about money and subscriptions (via the outbox).

Each message has a dedup key derived from what caused it, so a retried job
or a repeated callback never sends the same news twice.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lastmile.customers.models import Customer
from lastmile.finance.models import Account
from lastmile.notifications import events as ev
from lastmile.notifications.services import notify
from lastmile.subscriptions.models import Subscription


def _balance(customer_id: int) -> Decimal:
    return Account.objects.filter(pk=customer_id).values_list(
        "balance", flat=True
    ).first() or Decimal("0.00")


def notify_payment(*, payment: Any, account: Account) -> None:
    """Payment hook (finance.hooks): "payment received", in the payment's transaction."""
    notify(
        event=ev.PAYMENT_RECEIVED,
        customer=Customer.objects.get(pk=account.pk),
        context={"amount": payment.amount, "balance": account.balance},
        dedup_key=f"payment:{payment.pk}",
    )


def notify_access_change(
    *, customer_id: int, reason: str, subscription: Any = None, **details: Any
) -> None:
    customer = Customer.objects.get(pk=customer_id)
    local = timezone.localtime
    if (
        reason in ("tariff_changed", "preorder_applied", "renewed_after_payment")
        and subscription is not None
    ):
        notify(
            event=ev.TARIFF_CHANGED,
            customer=customer,
            context={
                "old_tariff": details.get("old_tariff", ""),
                "new_tariff": subscription.tariff.name,
                "price": subscription.price,
            },
            dedup_key=f"subscription:{subscription.pk}:started",
        )
    elif reason in ("expired", "terminated") and subscription is not None:
        ended = subscription.ended_at or timezone.now()
        notify(
            event=ev.SUBSCRIPTION_ENDED,
            customer=customer,
            context={"tariff": subscription.tariff.name, "ended_on": local(ended).date()},
            dedup_key=f"subscription:{subscription.pk}:ended",
        )
        if reason == "expired":
            notify(
                event=ev.ACCESS_BLOCKED,
                customer=customer,
                context={
                    "reason": subscription.end_reason or "no_funds",
                    "balance": _balance(customer_id),
                },
                dedup_key=f"subscription:{subscription.pk}:blocked",
            )


def notify_billing_run(run_id: int) -> int:
    """After a billing run: tell every customer whose subscription ended or
    whose pre-order started in that run.  Returns the number of customers."""
    ended = Subscription.objects.filter(billing_run_id=run_id).select_related("tariff")
    count = 0
    for subscription in ended.iterator(chunk_size=500):
        with transaction.atomic():
            if subscription.state == "expired" and subscription.end_reason != "replaced":
                notify_access_change(
                    customer_id=subscription.customer_id,
                    reason="expired",
                    subscription=subscription,
                )
            elif subscription.state == "active":
                notify_access_change(
                    customer_id=subscription.customer_id,
                    reason="preorder_applied",
                    subscription=subscription,
                )
        count += 1
    return count


def warn_ending_and_low_balance(at: Any = None) -> int:
    """Daily: subscriptions ending within N days that the balance will not
    renew, and balances below the threshold.  One message per period / day."""
    at = at or timezone.now()
    conf = settings.LASTMILE
    horizon = at + timedelta(days=conf.notify_days_before_end)
    sent = 0
    ending = (
        Subscription.objects.filter(state="active", period_end__gt=at, period_end__lte=horizon)
        .select_related("tariff", "customer", "customer__account")
        .order_by("id")
    )
    for sub in ending.iterator(chunk_size=500):
        account = getattr(sub.customer, "account", None)
        balance = account.balance if account else Decimal("0.00")
        if sub.auto_renew and balance >= sub.tariff.price:
            continue
        assert sub.period_end is not None
        with transaction.atomic():
            notify(
                event=ev.SUBSCRIPTION_ENDING,
                customer=sub.customer,
                context={
                    "tariff": sub.tariff.name,
                    "ends_on": timezone.localtime(sub.period_end).date(),
                    "days_left": max(0, (sub.period_end - at).days),
                    "price": sub.tariff.price,
                },
                dedup_key=f"subscription:{sub.pk}:ending:{sub.periods}",
            )
        sent += 1
    low = Account.objects.filter(
        balance__lt=conf.notify_balance_threshold, customer__is_active=True
    ).select_related("customer")
    today = timezone.localtime(at).date().isoformat()
    for account in low.order_by("pk").iterator(chunk_size=500):
        with transaction.atomic():
            notify(
                event=ev.BALANCE_LOW,
                customer=account.customer,
                context={"balance": account.balance, "threshold": conf.notify_balance_threshold},
                dedup_key=f"balance_low:{account.pk}:{today}",
            )
        sent += 1
    return sent
