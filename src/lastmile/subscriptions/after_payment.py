"""What a payment (or a promised payment) sets going: a waiting pre-order is
applied, a subscription that lapsed for lack of money is renewed.

Registered on ``finance.hooks.PAYMENT_CREDITED`` by ``SubscriptionsConfig``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from lastmile.finance import services as ledger
from lastmile.finance.locks import lock_account
from lastmile.finance.models import Account
from lastmile.subscriptions import events
from lastmile.subscriptions.models import (
    Subscription,
    SubscriptionState,
)
from lastmile.subscriptions.services import (
    _start,
    current_subscription,
    pending_preorder,
    purchasable_tariffs,
)

State = SubscriptionState


def on_payment(*, payment: Any, account: Account) -> None:
    """Payment hook (finance.hooks): with no active subscription, apply a waiting
    pre-order, else renew the last subscription that lapsed for lack of money
    with auto-renew on.  Runs inside the payment's transaction, account locked."""
    at = timezone.now()
    customer_id = account.pk
    if current_subscription(customer_id) is not None:
        return
    available = ledger.available_funds(account, at)
    preorder = pending_preorder(customer_id)
    if preorder is not None:
        if available >= preorder.price:
            _start(
                customer_id=customer_id,
                tariff=preorder.tariff,
                price=preorder.price,
                at=at,
                auto_renew=preorder.auto_renew,
                actor=None,
                actor_label="system",
                account=account,
                subscription=preorder,
            )
            events.access_changed(
                customer_id=customer_id, reason="preorder_applied", subscription=preorder
            )
        return
    lapsed = (
        Subscription.objects.filter(customer_id=customer_id, state=State.EXPIRED, auto_renew=True)
        .select_related("tariff", "customer")
        .order_by("-ended_at", "-id")
        .first()
    )
    if lapsed is None or lapsed.end_reason != "no_funds":
        return
    tariff = lapsed.tariff
    if (
        not tariff.is_active
        or not purchasable_tariffs(lapsed.customer).filter(pk=tariff.pk).exists()
    ):
        return
    if available < tariff.price:
        return
    renewed = _start(
        customer_id=customer_id,
        tariff=tariff,
        price=tariff.price,
        at=at,
        auto_renew=True,
        actor=None,
        actor_label="system",
        account=account,
    )
    events.access_changed(
        customer_id=customer_id, reason="renewed_after_payment", subscription=renewed
    )


def next_renewal_price(customer_id: int) -> Decimal | None:
    """What the customer's next tariff charge will be: a waiting pre-order, else
    the renewal of the active auto-renew subscription, else the re-purchase of
    a subscription that lapsed for lack of money.  None: nothing to pay for."""
    preorder = pending_preorder(customer_id)
    if preorder is not None:
        return preorder.price
    current = current_subscription(customer_id)
    if current is not None:
        return current.tariff.price if current.auto_renew else None
    lapsed = (
        Subscription.objects.filter(customer_id=customer_id, state=State.EXPIRED, auto_renew=True)
        .select_related("tariff")
        .order_by("-ended_at", "-id")
        .first()
    )
    if lapsed is None or lapsed.end_reason != "no_funds" or not lapsed.tariff.is_active:
        return None
    return lapsed.tariff.price


def resume_after_credit(*, customer_id: int) -> None:
    """After new credit (a promised payment) do what a payment would: apply a
    waiting pre-order or renew the subscription that lapsed for lack of money."""
    with transaction.atomic():
        account = lock_account(customer_id)
        on_payment(payment=None, account=account)
