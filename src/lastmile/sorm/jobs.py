"""Periodic SORM jobs (procrastinate): the nightly export and the retries."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from procrastinate.contrib.django import app

from lastmile.conf import get_settings
from lastmile.sorm import services


@app.periodic(cron=get_settings().sorm_cron, periodic_id="sorm_export")
@app.task(queue="sorm", name="sorm.export", queueing_lock="sorm.export")
def sorm_export(timestamp: int) -> int | None:
    """The scheduled export: full on the configured weekday, else incremental."""
    if not settings.LASTMILE.sorm_enabled:
        return None
    try:
        run = services.run_export(full=services.periodic_is_full(timezone.now()))
    except services.ExportBusy:
        return None
    return run.pk


@app.periodic(cron="*/5 * * * *", periodic_id="sorm_retry")
@app.task(queue="sorm", name="sorm.retry", queueing_lock="sorm.retry")
def sorm_retry(timestamp: int) -> int:
    """Re-send failed files (from their stored content) once they are due."""
    if not settings.LASTMILE.sorm_enabled:
        return 0
    try:
        return services.retry_due()
    except services.ExportBusy:
        return 0


@app.task(queue="sorm", name="sorm.export_now", queueing_lock="sorm.export_now")
def sorm_export_now(full: bool = False, actor_id: int | None = None) -> int | None:
    """An export started by staff from the export log."""
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        run = services.run_export(full=full, actor=actor)
    except services.ExportBusy:
        return None
    return run.pk
