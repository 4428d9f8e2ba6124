"""What follows a billing run, in the worker: NAS updates first, then notices.

Deferred by ``billing.run_billing`` in the run's transaction; a module of its own
so that the billing run and the jobs that start it point one way
(jobs -> billing -> followup).

The NAS comes first: a customer who cannot pay must be moved within seconds of
the boundary (design.md section 5), while the notices of a large run take
minutes (one outbox row per channel and customer).  ``after_billing_run``
therefore only records the access changes (``ACCESS_CHANGED``, one bulk insert)
and commits; the notices are a job of their own, deferred in that same
transaction, so a retried run neither repeats them nor makes the NAS wait.
"""

from __future__ import annotations

from django.db import transaction
from procrastinate.contrib.django import app

from lastmile.core.hooks import ACCESS_CHANGED, AccessReason
from lastmile.core.jobs import defer_in_transaction
from lastmile.subscriptions.models import Subscription
from lastmile.subscriptions.notices import notify_billing_run

#: Seconds between a run's access changes and its notices.
NOTICES_AFTER_S = 30


@app.task(queue="billing", name="subscriptions.after_billing_run", retry=5)
def after_billing_run(run_id: int) -> int:
    """Tell the NAS about every customer a billing run ended or switched, then
    defer the notices; returns the number of customers."""
    with transaction.atomic():
        switched: set[int] = set()
        ended: set[int] = set()
        for customer_id, state in Subscription.objects.filter(billing_run_id=run_id).values_list(
            "customer_id", "state"
        ):
            (switched if state == "active" else ended).add(customer_id)
        ACCESS_CHANGED.fire(customer_ids=ended - switched, reason=AccessReason.EXPIRED)
        ACCESS_CHANGED.fire(customer_ids=switched, reason=AccessReason.PREORDER_APPLIED)
        # A little later, so that the notices do not share the worker with the
        # boundary's CoA/Disconnect jobs.
        defer_in_transaction(
            billing_run_notices, schedule_in={"seconds": NOTICES_AFTER_S}, run_id=run_id
        )
    return len(ended | switched)


@app.task(queue="billing", name="subscriptions.billing_run_notices", retry=5)
def billing_run_notices(run_id: int) -> int:
    """Notify the customers a billing run ended or switched (each message once)."""
    return notify_billing_run(run_id)
