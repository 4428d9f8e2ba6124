"""Housekeeping jobs of the core (procrastinate autodiscovers ``jobs`` modules), and
``defer_in_transaction``, the way every job is deferred from a transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from procrastinate import manager
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
