"""Use cases of tariffs and subscriptions: buy, change, terminate, pre-order.

Money moves only through ``finance.services``; the account row is locked
before any subscription row (finance.locks explains the order).  One-off
services and periodic fees are in ``subscriptions.extras``; what a payment or
a promised payment sets going is in ``subscriptions.after_payment``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.accounts.models import actor_user
from lastmile.core.actor import Actor
from lastmile.core.permissions import require_object_permission
from lastmile.customers.models import Customer
from lastmile.finance import keys
from lastmile.finance import services as ledger
from lastmile.finance.errors import InsufficientFunds
from lastmile.finance.locks import lock_account
from lastmile.finance.models import ZERO, Account, EntryKind
from lastmile.subscriptions import events
from lastmile.subscriptions.errors import (
    AlreadySubscribed,
    IllegalTransition,
    NoActiveSubscription,
    PreorderExists,
    TariffNotAllowed,
)

# One-off services and fees live in ``extras``; importable from here as before.
from lastmile.subscriptions.extras import assign_fee as assign_fee
from lastmile.subscriptions.extras import sell_one_off as sell_one_off
from lastmile.subscriptions.extras import stop_fee as stop_fee
from lastmile.subscriptions.models import (
    SUBSCRIPTION_TRANSITIONS,
    Subscription,
    SubscriptionState,
    Tariff,
)
from lastmile.subscriptions.periods import period_boundary, prorated_refund

State = SubscriptionState


def purchasable_tariffs(customer: Customer) -> QuerySet[Tariff]:
    """Tariffs on sale that this customer's group may buy."""
    visible = Q(is_public=True)
    if customer.group_id is not None:
        visible |= Q(groups=customer.group_id)
    return Tariff.objects.filter(visible, is_active=True).distinct()


def _check_allowed(customer: Customer, tariff: Tariff) -> None:
    if not purchasable_tariffs(customer).filter(pk=tariff.pk).exists():
        raise TariffNotAllowed(
            _("The tariff “%(tariff)s” is not available to this customer's group.")
            % {"tariff": tariff}
        )


def _transition(subscription: Subscription, new_state: str, **fields: Any) -> None:
    """Flip the state with a conditional UPDATE; refuse transitions not in the table."""
    old = subscription.state
    if new_state not in SUBSCRIPTION_TRANSITIONS[old]:
        raise IllegalTransition(
            _("A subscription cannot go from %(old)s to %(new)s.") % {"old": old, "new": new_state}
        )
    changed = Subscription.objects.filter(pk=subscription.pk, state=old).update(
        state=new_state, **fields
    )
    if changed != 1:
        raise IllegalTransition(_("The subscription was changed meanwhile; reload and try again."))
    subscription.state = new_state
    for key, value in fields.items():
        setattr(subscription, key, value)


def current_subscription(customer_id: int) -> Subscription | None:
    return (
        Subscription.objects.filter(customer_id=customer_id, state=State.ACTIVE)
        .select_related("tariff")
        .first()
    )


def pending_preorder(customer_id: int) -> Subscription | None:
    return (
        Subscription.objects.filter(customer_id=customer_id, state=State.PREORDERED)
        .select_related("tariff")
        .first()
    )


@dataclass(frozen=True)
class PurchasePreview:
    """What buying a tariff now would do, shown before the staff member or
    customer confirms."""

    tariff: Tariff
    charge: Decimal
    refund: Decimal
    current: Subscription | None
    balance: Decimal
    available: Decimal
    balance_after: Decimal
    period_start: datetime
    period_end: datetime

    @property
    def can_afford(self) -> bool:
        return self.available + self.refund >= self.charge


def preview_purchase(
    *, customer: Customer, tariff: Tariff, at: datetime | None = None
) -> PurchasePreview:
    at = at or timezone.now()
    account = Account.objects.filter(pk=customer.pk).first() or Account(customer=customer)
    current = current_subscription(customer.pk)
    refund = ZERO
    if current is not None and current.period_start and current.period_end:
        refund = prorated_refund(current.price, current.period_start, current.period_end, at)
    return PurchasePreview(
        tariff=tariff,
        charge=tariff.price,
        refund=refund,
        current=current,
        balance=account.balance,
        available=ledger.available_funds(account, at),
        balance_after=account.balance + refund - tariff.price,
        period_start=at,
        period_end=period_boundary(at, 1, tariff.period_kind, tariff.period_days),
    )


def _start(
    *,
    customer_id: int,
    tariff: Tariff,
    price: Decimal,
    at: datetime,
    auto_renew: bool,
    actor: Actor | None,
    actor_label: str,
    account: Account,
    subscription: Subscription | None = None,
) -> Subscription:
    """Charge ``price`` and make ``subscription`` (or a new one) active from ``at``."""
    fields = {
        "anchor": at,
        "periods": 1,
        "period_start": at,
        "period_end": period_boundary(at, 1, tariff.period_kind, tariff.period_days),
    }
    if subscription is None:
        subscription = Subscription.objects.create(
            customer_id=customer_id,
            tariff=tariff,
            price=price,
            state=State.ACTIVE,
            auto_renew=auto_renew,
            ordered_by=actor_user(actor),
            **fields,
        )
    else:
        _transition(subscription, State.ACTIVE, **fields)
    if price > 0:
        ledger.post_entry(
            account=account,
            amount=-price,
            kind=EntryKind.CHARGE,
            idempotency_key=keys.subscription_start(subscription.pk),
            actor=actor,
            actor_label=actor_label,
            subscription=subscription,
        )
    return subscription


def _end_with_refund(
    *,
    subscription: Subscription,
    account: Account,
    at: datetime,
    reason: str,
    actor: Actor | None,
    actor_label: str,
) -> Decimal:
    assert subscription.period_start is not None and subscription.period_end is not None
    refund = prorated_refund(
        subscription.price, subscription.period_start, subscription.period_end, at
    )
    _transition(subscription, State.TERMINATED, ended_at=at, end_reason=reason)
    if refund > 0:
        ledger.post_entry(
            account=account,
            amount=refund,
            kind=EntryKind.REFUND,
            idempotency_key=keys.subscription_refund(subscription.pk),
            actor=actor,
            actor_label=actor_label,
            subscription=subscription,
        )
    return refund


def buy_tariff(
    *,
    customer: Customer,
    tariff: Tariff,
    at: datetime | None = None,
    actor: Actor | None = None,
    actor_label: str = "",
    auto_renew: bool = True,
) -> Subscription:
    """Buy ``tariff`` now.  With an active subscription this is a tariff change:
    the current one ends with a prorated refund at its purchase price, then
    the new one is charged in full.  All or nothing."""
    at = at or timezone.now()
    _check_allowed(customer, tariff)
    with transaction.atomic():
        account = lock_account(customer.pk)
        current = current_subscription(customer.pk)
        if current is not None and current.tariff_id == tariff.pk:
            raise AlreadySubscribed(
                _(
                    "“%(tariff)s” is already active until %(end)s. Pre-order it to continue after that."
                )
                % {
                    "tariff": tariff,
                    "end": timezone.localtime(current.period_end).strftime("%d.%m.%Y %H:%M"),
                }
            )
        refund = ZERO
        if current is not None:
            assert current.period_start is not None and current.period_end is not None
            refund = prorated_refund(current.price, current.period_start, current.period_end, at)
        available = ledger.available_funds(account, at) + refund
        if available < tariff.price:
            raise InsufficientFunds(needed=tariff.price, available=available)
        if current is not None:
            require_object_permission(actor, current, "change")
            _end_with_refund(
                subscription=current,
                account=account,
                at=at,
                reason="tariff_change",
                actor=actor,
                actor_label=actor_label,
            )
        subscription = _start(
            customer_id=customer.pk,
            tariff=tariff,
            price=tariff.price,
            at=at,
            auto_renew=auto_renew,
            actor=actor,
            actor_label=actor_label,
            account=account,
        )
        require_object_permission(actor, subscription, "add")
        events.access_changed(
            customer_id=customer.pk,
            reason="tariff_changed",
            subscription=subscription,
            old_tariff=current.tariff.name if current is not None else "",
        )
        return subscription


def terminate_subscription(
    *,
    subscription: Subscription,
    at: datetime | None = None,
    actor: Actor | None = None,
    actor_label: str = "",
    reason: str = "terminated",
) -> Decimal:
    """End an active subscription early; refunds the unused part at the purchase
    price.  Ending a pre-order refunds nothing (nothing was charged)."""
    at = at or timezone.now()
    with transaction.atomic():
        account = lock_account(subscription.customer_id)
        subscription.refresh_from_db()
        require_object_permission(actor, subscription, "change")
        if subscription.state == State.PREORDERED:
            _transition(
                subscription, State.TERMINATED, ended_at=at, end_reason="preorder_cancelled"
            )
            return ZERO
        if subscription.state != State.ACTIVE:
            raise NoActiveSubscription(_("Only an active subscription can be terminated."))
        refund = _end_with_refund(
            subscription=subscription,
            account=account,
            at=at,
            reason=reason,
            actor=actor,
            actor_label=actor_label,
        )
        events.access_changed(
            customer_id=subscription.customer_id, reason="terminated", subscription=subscription
        )
        return refund


def preorder_tariff(
    *,
    customer: Customer,
    tariff: Tariff,
    actor: Actor | None = None,
    actor_label: str = "",
    auto_renew: bool = True,
) -> Subscription:
    """Order the next tariff to start when the current period ends.  The price is
    fixed now; the money is charged at the switch (if the balance does not cover
    it then, the pre-order waits and is retried after a payment)."""
    _check_allowed(customer, tariff)
    with transaction.atomic():
        lock_account(customer.pk)
        if current_subscription(customer.pk) is None:
            raise NoActiveSubscription(
                _("There is no active tariff to follow; buy the tariff instead.")
            )
        if pending_preorder(customer.pk) is not None:
            raise PreorderExists(_("A pre-order already exists; cancel it first."))
        preorder = Subscription.objects.create(
            customer=customer,
            tariff=tariff,
            price=tariff.price,
            state=State.PREORDERED,
            auto_renew=auto_renew,
            ordered_by=actor_user(actor),
        )
        require_object_permission(actor, preorder, "add")
        return preorder


def set_auto_renew(
    *, subscription: Subscription, auto_renew: bool, actor: Actor | None = None
) -> Subscription:
    """Turn renewal at the period end on or off (the staff member's scope applies)."""
    require_object_permission(actor, subscription, "change")
    Subscription.objects.filter(pk=subscription.pk).update(auto_renew=auto_renew)
    subscription.auto_renew = auto_renew
    return subscription
