"""Housekeeping jobs of the core (procrastinate autodiscovers ``jobs`` modules), and
``defer_in_transaction``, the way every job is deferred from a transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from django.utils import timezone
from procrastinate import manager
from procrastinate.contrib.django import app
from procrastinate.contrib.django.django_connector import DjangoConnector
from procrastinate.tasks import Task, configure_task
from procrastinate.types import TimeDeltaParams

_DJANGO_JOBS = manager.JobManager(DjangoConnector())


def defer_in_transaction(
    task: Task[Any, Any, Any],
    *,
    schedule_at: datetime | None = None,
    schedule_in: TimeDeltaParams | None = None,
    queueing_lock: str | None = None,
    **task_kwargs: Any,
) -> int:
    """Defer ``task`` through Django's own database connection, so that the job
    commits (or rolls back) with the caller's transaction.

    A plain ``task.defer()`` does that in the web process, but not inside a job:
    procrastinate's worker replaces the app's connector with a connection pool
    of its own, so a job deferred by a job would commit at once and could start
    before the rows it needs (a billing run's result, an access change) exist.
    """
    deferrer = configure_task(
        name=task.name,
        job_manager=_DJANGO_JOBS,
        queue=task.queue,
        lock=task.lock,
        queueing_lock=queueing_lock if queueing_lock is not None else task.queueing_lock,
        priority=task.priority,
        schedule_at=schedule_at,
        schedule_in=schedule_in,
    )
    return deferrer.defer(**task_kwargs)


log = structlog.get_logger(__name__)


@app.periodic(cron="17 3 * * *", periodic_id="purge_expired_tokens")
@app.task(queue="housekeeping", name="core.purge_expired_tokens")
def purge_expired_tokens(timestamp: int) -> int:
    """Delete API tokens that expired or were revoked more than 30 days ago."""
    from django.db.models import Q

    from lastmile.accounts.models import ApiToken

    cutoff = timezone.now() - timedelta(days=30)
    deleted, _ = ApiToken.objects.filter(
        Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff)
    ).delete()
    log.info("tokens.purged", count=deleted)
    return deleted
