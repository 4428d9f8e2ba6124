"""Housekeeping jobs of the accounts app (procrastinate autodiscovers ``jobs`` modules).

The task keeps its name ``core.purge_expired_tokens`` (it lived in core): jobs
already queued or scheduled under that name still find it.
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from django.db.models import Q
from django.utils import timezone
from procrastinate.contrib.django import app

from lastmile.accounts.models import ApiToken

log = structlog.get_logger(__name__)


@app.periodic(cron="17 3 * * *", periodic_id="purge_expired_tokens")
@app.task(queue="housekeeping", name="core.purge_expired_tokens")
def purge_expired_tokens(timestamp: int) -> int:
    """Delete API tokens that expired or were revoked more than 30 days ago."""
    cutoff = timezone.now() - timedelta(days=30)
    deleted, _ = ApiToken.objects.filter(
        Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff)
    ).delete()
    log.info("tokens.purged", count=deleted)
    return deleted
