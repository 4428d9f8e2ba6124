"""What happens when a customer's access changes: tell the customer, tell the NAS.

Called inside the service's transaction.  The customer's notification is
queued in the same transaction (nothing is sent for a rolled-back purchase);
the NAS learns through the ``ACCESS_CHANGED`` hook, whose receiver (the aaa
app) defers its CoA / Disconnect job in the same transaction, so it happens
only after commit and never blocks the request (a NAS may take seconds to
answer, or not answer at all).
"""

from __future__ import annotations

from typing import Any

import structlog

from lastmile.core.hooks import ACCESS_CHANGED, AccessReason

log = structlog.get_logger(__name__)


def access_changed(
    *, customer_id: int, reason: str, subscription: Any = None, **details: Any
) -> None:
    subscription_id = getattr(subscription, "pk", None)
    log.info(
        "subscription.access_changed",
        customer_id=customer_id,
        reason=reason,
        subscription_id=subscription_id,
    )
    from lastmile.subscriptions import notices

    notices.notify_access_change(
        customer_id=customer_id, reason=reason, subscription=subscription, **details
    )
    ACCESS_CHANGED.fire(customer_id=customer_id, reason=AccessReason(reason))
