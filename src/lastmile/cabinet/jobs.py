"""Housekeeping jobs of the cabinet (procrastinate autodiscovers ``jobs`` modules)."""

from __future__ import annotations

import structlog
from django.utils import timezone
from procrastinate.contrib.django import app

from lastmile.cabinet.idempotency import IDEMPOTENCY_TTL
from lastmile.cabinet.models import IdempotentRequest

log = structlog.get_logger(__name__)


@app.periodic(cron="29 * * * *", periodic_id="purge_idempotency_keys")
@app.task(queue="housekeeping", name="cabinet.purge_idempotency_keys")
def purge_idempotency_keys(timestamp: int) -> int:
    """Forget the subscriber API's Idempotency-Keys older than their lifetime."""
    deleted, _ = IdempotentRequest.objects.filter(
        created_at__lt=timezone.now() - IDEMPOTENCY_TTL
    ).delete()
    log.info("cabinet.idempotency_keys_purged", count=deleted)
    return deleted
