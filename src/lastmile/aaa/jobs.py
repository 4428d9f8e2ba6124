"""Background work of the aaa app: applying access changes to the NAS."""

from __future__ import annotations

from datetime import timedelta

import structlog
from django.utils import timezone
from procrastinate.contrib.django import app

from lastmile.core.jobs import defer_in_transaction

log = structlog.get_logger(__name__)


@app.task(queue="network", name="aaa.apply_access")
def apply_access(change_ids: list[int]) -> int:
    """Send the CoA/Disconnect requests for these changes; retry the unconfirmed later."""
    from lastmile.aaa.apply import apply_changes
    from lastmile.aaa.apply_record import RETRY_BACKOFF_S

    retry = apply_changes(change_ids)
    by_delay: dict[int, list[int]] = {}
    for change in retry:
        by_delay.setdefault(RETRY_BACKOFF_S[change.tries - 1], []).append(change.pk)
    for delay, ids in sorted(by_delay.items()):
        defer_in_transaction(
            apply_access, schedule_in={"seconds": delay}, change_ids=[int(i) for i in ids]
        )
    return len(change_ids)


@app.periodic(cron="*/5 * * * *", periodic_id="aaa_pending_access_changes")
@app.task(queue="network", name="aaa.resume_pending", queueing_lock="aaa_resume_pending")
def resume_pending(timestamp: int) -> int:
    """Pick up changes whose job was lost (a worker killed mid-way): pending for 15 minutes."""
    from lastmile.aaa.models import AccessChange

    stale = list(
        AccessChange.objects.filter(
            state=AccessChange.State.PENDING,
            requested_at__lt=timezone.now() - timedelta(minutes=15),
        ).values_list("pk", flat=True)[:10000]
    )
    if stale:
        defer_in_transaction(apply_access, change_ids=stale)
        log.warning("access.resumed_pending", count=len(stale))
    return len(stale)
