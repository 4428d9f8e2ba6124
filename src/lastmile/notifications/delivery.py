"""Delivery of the outbox: the worker's side of notifications.

``services`` writes outbox rows in the writer's transaction and kicks the worker;
the worker's jobs (``jobs``) call this module, which claims due rows, sends them
through their channel and records the outcome. It imports nothing from
``services`` or ``jobs``, so the three point one way: services -> jobs -> delivery.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from lastmile.notifications import secrets
from lastmile.notifications.channels import CHANNELS, DeliveryError, Message
from lastmile.notifications.models import Outbox

log = structlog.get_logger(__name__)

#: A row left in "sending" longer than this by a dead worker is queued again.
STALE_SENDING = timedelta(minutes=10)


def quiet_hours_end(channel: str, now: datetime) -> datetime | None:
    """When quiet hours apply to ``channel`` at ``now``: the moment they end."""
    conf = settings.LASTMILE
    start, end = conf.notify_quiet_hours_start, conf.notify_quiet_hours_end
    if channel not in conf.notify_quiet_channels or start == end:
        return None
    local = timezone.localtime(now)
    hour = local.hour
    inside = (start <= hour or hour < end) if start > end else (start <= hour < end)
    if not inside:
        return None
    ends = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if ends <= local:
        ends += timedelta(days=1)
    return ends


# Delivery ------------------------------------------------------------------------


def claim_due(*, limit: int = 50) -> list[int]:
    """Mark up to ``limit`` due rows as sending and return their ids.

    Rows another worker has locked are skipped, and the UPDATE re-checks the
    state, so one row is claimed by one worker only.
    """
    table = Outbox._meta.db_table
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} SET state = 'sending', claimed_at = %s, attempts = attempts + 1
            WHERE state = 'queued' AND id IN (
                SELECT id FROM {table}
                WHERE state = 'queued' AND next_attempt_at <= %s
                ORDER BY next_attempt_at, id
                LIMIT %s
                FOR UPDATE SKIP LOCKED)
            RETURNING id
            """,  # noqa: S608 - table name is ours, values are parameters
            [now, now, limit],
        )
        return sorted(row[0] for row in cursor.fetchall())


def deliver_due(*, limit: int = 50, max_batches: int = 20) -> int:
    """Deliver due rows in batches until none is left; return how many were sent."""
    sent = 0
    for _batch in range(max_batches):
        ids = claim_due(limit=limit)
        if not ids:
            break
        sent += sum(1 for outbox_id in ids if deliver_claimed(outbox_id=outbox_id))
    return sent


def deliver_claimed(*, outbox_id: int) -> bool:
    """Send one claimed row and record the outcome; True when sent."""
    conf = settings.LASTMILE
    row = Outbox.objects.get(pk=outbox_id)
    if row.state != Outbox.State.SENDING:
        return False
    quiet_end = quiet_hours_end(row.channel, timezone.now())
    if quiet_end is not None:
        _finish(
            row,
            state=Outbox.State.QUEUED,
            next_attempt_at=quiet_end,
            attempts=row.attempts - 1,
            error=row.last_error,
        )
        return False
    plugin = CHANNELS.get(row.channel)
    try:
        if plugin is None or not plugin.is_configured(conf):
            raise DeliveryError(f"The {row.channel} channel is not configured.", permanent=True)
        plugin.send(message_of(row), conf)
    except DeliveryError as exc:
        _record_failure(row, exc)
        return False
    except Exception as exc:  # a bug in a plugin must not wedge the row in "sending"
        log.exception("notify.plugin_crashed", outbox_id=row.pk, channel=row.channel)
        _record_failure(row, DeliveryError(f"Internal error: {exc!r}"))
        return False
    _finish(row, state=Outbox.State.SENT, sent_at=timezone.now(), error="")
    log.info("notify.sent", outbox_id=row.pk, channel=row.channel, notify_event=row.event)
    return True


def message_of(row: Outbox) -> Message:
    """The message as the channel sends it: secrets (a one-time code) put back
    into the text, and left out of the payload a plugin sees."""
    values = secrets.values_of(row.payload)
    return Message(
        id=row.pk,
        event=row.event,
        recipient=row.recipient,
        subject=secrets.reveal(row.subject, values),
        body=secrets.reveal(row.body, values),
        dedup_key=row.dedup_key,
        payload=secrets.without_values(row.payload),
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off: base, 2·base, 4·base … capped."""
    conf = settings.LASTMILE
    seconds = conf.notify_retry_base_s * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, conf.notify_retry_cap_s))


def _record_failure(row: Outbox, exc: DeliveryError) -> None:
    conf = settings.LASTMILE
    error = str(exc)[:2000]
    if exc.permanent or row.attempts >= conf.notify_max_attempts:
        _finish(row, state=Outbox.State.FAILED, error=error)
        log.warning("notify.failed", outbox_id=row.pk, channel=row.channel, error=error)
        return
    _finish(
        row,
        state=Outbox.State.QUEUED,
        next_attempt_at=timezone.now() + retry_delay(row.attempts),
        error=error,
    )
    log.info("notify.retry", outbox_id=row.pk, channel=row.channel, attempts=row.attempts)


def _finish(row: Outbox, *, state: str, error: str, **fields: Any) -> None:
    """Leave "sending" with a conditional UPDATE (a swept row is not overwritten).
    A row that is done with (sent, or failed for good) loses its secrets."""
    if state != Outbox.State.QUEUED and secrets.values_of(row.payload):
        fields["payload"] = secrets.without_values(row.payload)
    Outbox.objects.filter(pk=row.pk, state=Outbox.State.SENDING).update(
        state=state, last_error=error, claimed_at=None, **fields
    )


def release_stale(*, older_than: timedelta = STALE_SENDING) -> int:
    """Re-queue rows left in "sending" by a worker that died mid-send."""
    return Outbox.objects.filter(
        state=Outbox.State.SENDING, claimed_at__lt=timezone.now() - older_than
    ).update(state=Outbox.State.QUEUED, claimed_at=None, next_attempt_at=timezone.now())


# Staff actions ---------------------------------------------------------------------
