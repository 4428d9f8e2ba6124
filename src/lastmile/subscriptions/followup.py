"""What follows a billing run, in the worker: notices and NAS updates.

Deferred by ``billing.run_billing`` in the run's transaction; a module of its own
so that the billing run and the jobs that start it point one way
(jobs -> billing -> followup).
"""

from __future__ import annotations

from django.db import transaction
from procrastinate.contrib.django import app

from lastmile.core.hooks import ACCESS_CHANGED, AccessReason
from lastmile.subscriptions.models import Subscription
from lastmile.subscriptions.notices import notify_billing_run


@app.task(queue="billing", name="subscriptions.after_billing_run", retry=5)
def after_billing_run(run_id: int) -> int:
    """Notify the customers a billing run ended or switched, and tell the NAS."""
    with transaction.atomic():
        count = notify_billing_run(run_id)
        switched: set[int] = set()
        ended: set[int] = set()
        for customer_id, state in Subscription.objects.filter(billing_run_id=run_id).values_list(
            "customer_id", "state"
        ):
            (switched if state == "active" else ended).add(customer_id)
        ACCESS_CHANGED.fire(customer_ids=ended - switched, reason=AccessReason.EXPIRED)
        ACCESS_CHANGED.fire(customer_ids=switched, reason=AccessReason.PREORDER_APPLIED)
    return count
