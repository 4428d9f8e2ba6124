"""What happens after access changes: notify the customer, tell the NAS.

Called inside the service's transaction; the actual work runs after commit
(nothing is sent for a rolled-back purchase).  The notification and RADIUS
CoA/Disconnect modules register themselves in ``ACCESS_LISTENERS``.
"""

from __future__ import annotations

from typing import Any

import structlog
from django.db import transaction
from django.utils.module_loading import import_string

log = structlog.get_logger(__name__)

# Dotted paths to fn(*, customer_id, reason, subscription_id) run after commit.
ACCESS_LISTENERS: list[str] = []


def access_changed(*, customer_id: int, reason: str, subscription: Any = None) -> None:
    subscription_id = getattr(subscription, "pk", None)
    log.info(
        "subscription.access_changed",
        customer_id=customer_id,
        reason=reason,
        subscription_id=subscription_id,
    )

    def _after_commit() -> None:
        for path in ACCESS_LISTENERS:
            try:
                import_string(path)(
                    customer_id=customer_id, reason=reason, subscription_id=subscription_id
                )
            except Exception:  # a NAS or a mail server being down must not undo a purchase
                log.exception(
                    "subscription.listener_failed", listener=path, customer_id=customer_id
                )

    transaction.on_commit(_after_commit)
