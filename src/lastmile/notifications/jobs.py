"""Notification delivery in the worker (procrastinate autodiscovers ``jobs``)."""

from __future__ import annotations

import structlog
from procrastinate.contrib.django import app

from lastmile.notifications.delivery import deliver_due, release_stale

log = structlog.get_logger(__name__)


@app.task(
    queue="notifications",
    name="notifications.deliver_outbox",
    queueing_lock="notifications.deliver_outbox",
)
def deliver_outbox() -> int:
    """Deliver every due outbox row (kicked by ``notify`` after commit)."""
    return deliver_due()


@app.periodic(cron="* * * * *", periodic_id="notifications_sweep")
@app.task(queue="notifications", name="notifications.sweep_outbox")
def sweep_outbox(timestamp: int) -> int:
    """Every minute: re-queue rows a dead worker left in "sending", deliver due retries."""
    released = release_stale()
    if released:
        log.warning("notify.released_stale", count=released)
    return deliver_due()


@app.periodic(cron="* * * * *", periodic_id="telegram_poll")
@app.task(queue="notifications", name="notifications.poll_telegram")
def poll_telegram(timestamp: int) -> int:
    """Every minute: read the bot's updates and link chats that sent ``/start CODE``."""
    from lastmile.notifications.channels import DeliveryError
    from lastmile.notifications.telegram import poll_updates

    try:
        return poll_updates()
    except DeliveryError as exc:
        log.warning("telegram.poll_failed", error=str(exc))
        return 0
