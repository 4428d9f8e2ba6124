"""Housekeeping jobs of the core (procrastinate autodiscovers ``jobs`` modules)."""

from __future__ import annotations

from datetime import timedelta

import structlog
from django.utils import timezone
from procrastinate.contrib.django import app

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
