"""Background work of billing: the periodic run, and what follows access changes."""

from __future__ import annotations

import structlog
from procrastinate.contrib.django import app

from lastmile.subscriptions.billing import run_billing

log = structlog.get_logger(__name__)


@app.periodic(cron="*/5 * * * *", periodic_id="billing_run")
@app.task(queue="billing", name="subscriptions.billing_run", queueing_lock="billing_run")
def billing_run_job(timestamp: int) -> int:
    """Every five minutes: renew or end what became due since the last pass."""
    return run_billing().pk


@app.task(queue="billing", name="subscriptions.after_billing_run", retry=5)
def after_billing_run(run_id: int) -> int:
    """Notify the customers a billing run ended or switched, and tell the NAS."""
    from lastmile.subscriptions.models import Subscription
    from lastmile.subscriptions.notices import notify_billing_run

    count = notify_billing_run(run_id)
    for customer_id, state in Subscription.objects.filter(billing_run_id=run_id).values_list(
        "customer_id", "state"
    ):
        apply_access_change.defer(
            customer_id=customer_id, reason="expired" if state == "expired" else "changed"
        )
    return count


@app.task(queue="network", name="subscriptions.apply_access_change", retry=3)
def apply_access_change(customer_id: int, reason: str) -> None:
    """CoA with the new speed, or Disconnect when access is lost (the NAS's
    answer is recorded on the session by the aaa app)."""
    from lastmile.aaa.services import change_speed, disconnect_customer
    from lastmile.subscriptions.events import LOSING_ACCESS

    if reason in LOSING_ACCESS:
        outcomes = disconnect_customer(customer_id=customer_id, reason=reason)
    else:
        outcomes = change_speed(customer_id=customer_id)
    log.info("access.applied", customer_id=customer_id, reason=reason, sessions=len(outcomes))


@app.periodic(cron="0 10 * * *", periodic_id="subscription_warnings")
@app.task(queue="billing", name="subscriptions.warn_ending", queueing_lock="warn_ending")
def warn_ending_job(timestamp: int) -> int:
    """Every morning: warn about subscriptions that will not renew and low balances."""
    from lastmile.subscriptions.notices import warn_ending_and_low_balance

    return warn_ending_and_low_balance()
