"""Periodic billing (procrastinate)."""

from __future__ import annotations

from procrastinate.contrib.django import app

from lastmile.subscriptions.billing import run_billing


@app.periodic(cron="*/5 * * * *", periodic_id="billing_run")
@app.task(queue="billing", name="subscriptions.billing_run", queueing_lock="billing_run")
def billing_run_job(timestamp: int) -> int:
    """Every five minutes: renew or end what became due since the last pass."""
    return run_billing().pk
