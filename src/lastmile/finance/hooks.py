"""The extension point run after every credited payment, in its transaction.

Each hook is a dotted path to ``fn(*, payment, account)``.  Hooks run in the
order listed; an exception rolls the payment back (a hook must not fail for
a business reason: it decides and records, e.g. "not enough for the
pre-order yet").
"""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string

PAYMENT_HOOKS: list[str] = [
    # Renew a lapsed auto-renew subscription, or apply a waiting pre-order.
    "lastmile.subscriptions.services.on_payment",
    # "Payment received" to the customer's channels (outbox, same transaction).
    "lastmile.subscriptions.notices.notify_payment",
]


def run_payment_hooks(*, payment: Any, account: Any) -> None:
    for path in PAYMENT_HOOKS:
        import_string(path)(payment=payment, account=account)
