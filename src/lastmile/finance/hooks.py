"""The extension point run after every credited payment, in its transaction.

``PAYMENT_CREDITED.fire(payment=..., account=...)``: the apps that react register
a receiver in their ``AppConfig.ready()`` (subscriptions: renew a lapsed
subscription or apply a waiting pre-order, then the "payment received" notice).
Finance does not name them. Receivers run in registration order, with the account
locked; an exception rolls the payment back (a receiver must not fail for a
business reason: it decides and records, e.g. "not enough for the pre-order yet").
"""

from __future__ import annotations

from typing import Any

from lastmile.core.hooks import Hook

#: ``fire(payment=Payment, account=Account)`` after a payment is credited.
PAYMENT_CREDITED = Hook("payment_credited")


def run_payment_hooks(*, payment: Any, account: Any) -> None:
    PAYMENT_CREDITED.fire(payment=payment, account=account)
