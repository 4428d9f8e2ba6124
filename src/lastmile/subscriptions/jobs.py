"""Background work of billing: the runs at period boundaries, and what follows them.

A subscriber whose subscription renews must stay online across its boundary,
and one who does not renew must be moved at it, within seconds.  Session-Timeout
is therefore not tied to the paid period (the NAS keeps the session), and the
billing run happens at each boundary: every minute ``schedule_boundaries`` looks
at the boundaries of the next minute and defers one run per distinct second
(``billing_at``, one per second by its queueing lock, scheduled a second early:
it waits for the moment itself).
The minute-by-minute run is the safety net for anything a boundary job missed.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import structlog
from django.utils import timezone
from procrastinate import exceptions
from procrastinate.contrib.django import app

from lastmile.core.jobs import defer_in_transaction
from lastmile.subscriptions.billing import expire_unpaid, has_due, run_billing

# Re-exported: the task lives with the billing run that defers it.
from lastmile.subscriptions.followup import after_billing_run as after_billing_run

log = structlog.get_logger(__name__)

#: How far ahead ``schedule_boundaries`` looks (a little more than its period).
LOOKAHEAD = timedelta(seconds=75)


@app.periodic(cron="* * * * *", periodic_id="billing_run")
@app.task(queue="billing", name="subscriptions.billing_run", queueing_lock="billing_run")
def billing_run_job(timestamp: int) -> int | None:
    """Every minute: renew or end whatever became due (the safety net)."""
    return _run_if_due()


#: ``billing_at`` is scheduled this much before its boundary and waits for the
#: moment itself: the worker polls for scheduled jobs (once a second), and the
#: poll's delay would otherwise come on top of every NAS move.
EARLY = timedelta(seconds=1)


@app.task(queue="billing", name="subscriptions.billing_at")
def billing_at(at: str) -> int | None:
    """The run for one boundary, started at that moment."""
    wait = (datetime.fromisoformat(at) - timezone.now()).total_seconds()
    if 0 < wait <= 2 * EARLY.total_seconds():
        time.sleep(wait)
    return _run_if_due()


def _run_if_due() -> int | None:
    """The unpaid ends first (their NAS moves start at once), then the run of
    what is left, unless nothing is due (no empty run rows every minute)."""
    now = timezone.now()
    if not has_due(now):
        return None
    ended = expire_unpaid(at=now)
    if has_due(now):
        return run_billing(at=now).pk
    return ended.pk if ended is not None else None


@app.periodic(cron="* * * * *", periodic_id="schedule_boundaries")
@app.task(queue="billing", name="subscriptions.schedule_boundaries")
def schedule_boundaries(timestamp: int) -> int:
    """Defer a billing run at each distinct second a period ends in the next minute."""
    return schedule_boundary_runs(timezone.now())


def schedule_boundary_runs(now: datetime) -> int:
    """One ``billing_at`` job per boundary second in (now, now + LOOKAHEAD]."""
    from lastmile.subscriptions.models import Subscription

    # Periodic fees change no access: the minute-by-minute run charges them.
    ends = set(
        Subscription.objects.filter(
            state="active", period_end__gt=now, period_end__lte=now + LOOKAHEAD
        ).values_list("period_end", flat=True)
    )
    seconds = sorted({_ceil_second(at) for at in ends if at is not None})
    deferred = 0
    for at in seconds:
        try:
            defer_in_transaction(
                billing_at,
                schedule_at=at - EARLY,
                queueing_lock=f"billing_at:{int(at.timestamp())}",
                at=at.isoformat(),
            )
            deferred += 1
        except exceptions.AlreadyEnqueued:
            pass
    if deferred:
        log.info("billing.boundaries_scheduled", runs=deferred, first=seconds[0].isoformat())
    return deferred


def _ceil_second(at: datetime) -> datetime:
    floor = at.replace(microsecond=0)
    return floor if floor == at else floor + timedelta(seconds=1)


@app.periodic(cron="0 10 * * *", periodic_id="subscription_warnings")
@app.task(queue="billing", name="subscriptions.warn_ending", queueing_lock="warn_ending")
def warn_ending_job(timestamp: int) -> int:
    """Every morning: warn about subscriptions that will not renew and low balances."""
    from lastmile.subscriptions.notices import warn_ending_and_low_balance

    return warn_ending_and_low_balance()
