"""Background work of the customers app: the bulk message of the customer list."""

from __future__ import annotations

import structlog
from django.db import transaction
from procrastinate.contrib.django import app

log = structlog.get_logger(__name__)

CHUNK = 500


@app.task(queue="notifications", name="customers.send_bulk_message")
def send_bulk_message(
    batch: str, user_id: int, customer_ids: list[int], subject: str, text: str, channel: str
) -> int:
    """Enqueue the message for every customer (the outbox worker delivers it).

    Idempotent: each customer's rows carry the batch in their de-duplication
    key, so a retried job skips who already has the message.  Customers the
    user may no longer change (scope changed since the request) are skipped.
    Returns the number of outbox rows enqueued."""
    from lastmile.accounts.models import User
    from lastmile.customers.bulk_message import DEDUP_PREFIX, personalise
    from lastmile.customers.models import Customer
    from lastmile.notifications.errors import TemplateRenderError
    from lastmile.notifications.events import STAFF_MESSAGE
    from lastmile.notifications.services import notify

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        log.warning("bulk_message.no_user", batch=batch, user_id=user_id)
        return 0
    channels = [channel] if channel else None
    rows = skipped = 0
    for start in range(0, len(customer_ids), CHUNK):
        chunk = customer_ids[start : start + CHUNK]
        customers = Customer.objects.restrict(user, "change").filter(pk__in=chunk).order_by("pk")  # type: ignore[attr-defined]
        with transaction.atomic():
            for customer in customers:
                try:
                    context = {
                        "subject": personalise(subject, customer, what="subject"),
                        "text": personalise(text, customer, what="text"),
                    }
                except TemplateRenderError:
                    skipped += 1
                    continue
                rows += len(
                    notify(
                        event=STAFF_MESSAGE,
                        customer=customer,
                        context=context,
                        dedup_key=f"{DEDUP_PREFIX}:{batch}:{customer.pk}",
                        channels=channels,
                    )
                )
    log.info(
        "bulk_message.enqueued", batch=batch, customers=len(customer_ids), rows=rows,
        skipped=skipped, user_id=user_id,
    )  # fmt: skip
    return rows
