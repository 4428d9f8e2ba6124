"""Use cases of notifications: enqueue (``notify``), resend, templates, preferences.

``notify`` is the one entry point other apps call.  It writes outbox rows in
the caller's transaction, so a rolled-back payment sends nothing, and the
unique (dedup_key, channel, recipient) constraint makes a repeat a no-op.
Delivery happens in the worker (``jobs.py``, ``delivery.py``), never in the writer's
request; who gets a message is ``recipients.py``, its text ``render.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

import structlog
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from procrastinate.exceptions import AlreadyEnqueued

from lastmile.core.actor import Actor
from lastmile.core.jobs import defer_in_transaction
from lastmile.notifications import events
from lastmile.notifications.channels import CHANNELS
from lastmile.notifications.delivery import quiet_hours_end
from lastmile.notifications.errors import NotResendable, TemplateRenderError, UnknownEvent
from lastmile.notifications.jobs import deliver_outbox
from lastmile.notifications.models import (
    Channel,
    NotificationTemplate,
    Outbox,
    SubscriberPreference,
)
from lastmile.notifications.recipients import Target, find_targets, recipient_context, webhook_urls
from lastmile.notifications.render import plain_value, render_into, render_text
from lastmile.notifications.secrets import NAMES_KEY, SECRETS_KEY, has_secrets, masked

log = structlog.get_logger(__name__)


# Enqueue -----------------------------------------------------------------------


def notify(
    *,
    event: str,
    customer: Any = None,
    staff_user: Any = None,
    context: dict[str, Any],
    dedup_key: str,
    channels: Iterable[str] | None = None,
) -> list[Outbox]:
    """Enqueue one outbox row per opted-in channel of the recipient (plus one
    per configured webhook URL), inside the caller's transaction.

    A repeat with the same ``dedup_key`` returns the rows already there and
    enqueues nothing new.  A template error does not break the caller: the
    row is stored as failed with the error, and nothing is sent.
    """
    if event not in events.EVENTS:
        raise UnknownEvent(f"Unknown notification event: {event!r}.")
    if not dedup_key:
        raise ValueError("notify() needs a dedup_key.")
    conf = settings.LASTMILE
    full_context = {**recipient_context(customer, staff_user), **plain_value(dict(context))}
    targets = find_targets(event=event, customer=customer, staff_user=staff_user)
    if channels is not None:  # only these channels (a staff message over SMS, say); no webhooks
        wanted = set(channels)
        targets = [t for t in targets if t.channel in wanted]
    now = timezone.now()
    rows = [
        _build_row(
            event=event,
            target=target,
            context=full_context,
            customer=customer,
            staff_user=staff_user,
            dedup_key=dedup_key,
            now=now,
        )
        for target in targets
    ]
    rows += [
        _webhook_row(
            event=event,
            url=url,
            context=full_context,
            customer=customer,
            staff_user=staff_user,
            dedup_key=dedup_key,
            now=now,
        )
        for url in (webhook_urls(conf, event) if channels is None else [])
    ]
    if not rows:
        return []
    with transaction.atomic():
        Outbox.objects.bulk_create(rows, ignore_conflicts=True)
        condition = Q(pk__in=[])
        for row in rows:
            condition |= Q(channel=row.channel, recipient=row.recipient)
        stored = list(Outbox.objects.filter(condition, dedup_key=dedup_key).order_by("id"))
    transaction.on_commit(kick_worker)
    log.info("notify.enqueued", notify_event=event, dedup_key=dedup_key, rows=len(stored))
    return stored


def notify_address(
    *,
    event: str,
    channel: str,
    recipient: str,
    customer: Any,
    context: dict[str, Any],
    dedup_key: str,
    language: str,
    secrets: Mapping[str, str] | None = None,
) -> Outbox | None:
    """Enqueue one message to one given address (a one-time code to a contact
    being checked, or to the verified contact of a password reset), whatever the
    subscriber's channel preferences; None if the channel is not configured.
    Written in the caller's transaction and de-duplicated like ``notify``.

    ``secrets`` (such as ``{"code": "123456"}``) are template variables staff
    must not read: the stored text carries a mark instead, and the value is put
    in only when the message is sent (see ``notifications.secrets``)."""
    if event not in events.EVENTS:
        raise UnknownEvent(f"Unknown notification event: {event!r}.")
    if not dedup_key or not recipient:
        raise ValueError("notify_address() needs a dedup_key and a recipient.")
    if channel not in CHANNELS or not CHANNELS[channel].is_configured(settings.LASTMILE):
        return None
    secret_values = {name: str(value) for name, value in (secrets or {}).items()}
    full_context = masked(
        {**recipient_context(customer, None), **plain_value(dict(context))}, secret_values
    )
    target = Target(channel, recipient, language if language in ("en", "ru") else "en")
    row = _build_row(
        event=event,
        target=target,
        context=full_context,
        customer=customer,
        staff_user=None,
        dedup_key=dedup_key,
        now=timezone.now(),
    )
    if secret_values:
        row.payload[SECRETS_KEY] = secret_values
        row.payload[NAMES_KEY] = sorted(secret_values)
    with transaction.atomic():
        Outbox.objects.bulk_create([row], ignore_conflicts=True)
        stored = Outbox.objects.filter(
            dedup_key=dedup_key, channel=row.channel, recipient=row.recipient
        ).first()
    transaction.on_commit(kick_worker)
    log.info("notify.enqueued", notify_event=event, dedup_key=dedup_key, rows=1)
    return stored


def _build_row(
    *,
    event: str,
    target: Target,
    context: dict[str, Any],
    customer: Any,
    staff_user: Any,
    dedup_key: str,
    now: datetime,
) -> Outbox:
    row = Outbox(
        channel=target.channel,
        recipient=target.recipient[:500],
        event=event,
        language=target.language,
        payload={"context": context},
        customer=customer,
        staff_user=staff_user,
        dedup_key=dedup_key,
        next_attempt_at=quiet_hours_end(target.channel, now) or now,
    )
    try:
        render_into(row)
    except TemplateRenderError as exc:
        row.state = Outbox.State.FAILED
        row.last_error = str(exc)
    return row


def _webhook_row(
    *,
    event: str,
    url: str,
    context: dict[str, Any],
    customer: Any,
    staff_user: Any,
    dedup_key: str,
    now: datetime,
) -> Outbox:
    document = {
        "id": dedup_key,
        "event": event,
        "occurred_at": now.isoformat(),
        "customer_id": getattr(customer, "pk", None),
        "staff_user_id": getattr(staff_user, "pk", None),
        "data": context,
    }
    return Outbox(
        channel=Channel.WEBHOOK,
        recipient=url[:500],
        event=event,
        payload={"context": context},
        body=json.dumps(document, ensure_ascii=False, sort_keys=True),
        customer=customer,
        staff_user=staff_user,
        dedup_key=dedup_key,
        next_attempt_at=now,
    )


def kick_worker() -> None:
    """Ask the worker to deliver now (a periodic sweep catches anything missed)."""
    try:
        defer_in_transaction(deliver_outbox)
    except AlreadyEnqueued:
        pass
    except Exception:  # the sweep delivers anyway; never fail the writer
        log.warning("notify.kick_failed", exc_info=True)


def resend(*, outbox: Outbox, actor: Actor | None) -> Outbox:
    """Queue a failed or sent message again, re-rendered from the current template.

    Raises ``TemplateRenderError`` (nothing changes) if the template is still broken.
    """
    with transaction.atomic():
        row = Outbox.objects.select_for_update().get(pk=outbox.pk)
        if row.state not in (Outbox.State.FAILED, Outbox.State.SENT):
            raise NotResendable("Only a failed or sent message can be sent again.")
        if has_secrets(row.payload):  # the code is wiped once sent; and it is spent
            raise NotResendable(
                _("A one-time code is never sent again: the subscriber asks for a new one.")
            )
        if row.channel != Channel.WEBHOOK:
            render_into(row)
        updated = Outbox.objects.filter(
            pk=row.pk, state__in=[Outbox.State.FAILED, Outbox.State.SENT]
        ).update(
            state=Outbox.State.QUEUED,
            attempts=0,
            next_attempt_at=timezone.now(),
            last_error="",
            sent_at=None,
            subject=row.subject,
            body=row.body,
            template=row.template,
        )
        if updated != 1:
            raise NotResendable("The message changed meanwhile; reload the page.")
        transaction.on_commit(kick_worker)
    log.info("notify.resend", outbox_id=row.pk, actor=getattr(actor, "pk", None))
    row.refresh_from_db()
    return row


class Preview(NamedTuple):
    subject: str
    text: str


def preview_template(*, event: str, subject: str, body: str) -> Preview:
    """Render a template with the event's sample context (for the editor)."""
    if event not in events.EVENTS:
        raise UnknownEvent(f"Unknown notification event: {event!r}.")
    context = plain_value(events.SAMPLE_CONTEXTS.get(event, {}))
    return Preview(
        subject=render_text(subject, context, what="subject"),
        text=render_text(body, context, what="text"),
    )


def save_template(*, template: NotificationTemplate, actor: Actor | None) -> NotificationTemplate:
    """Save a template after checking it renders with the event's sample context."""
    preview_template(event=template.event, subject=template.subject, body=template.body)
    with transaction.atomic():
        template.save()
    log.info("notify.template_saved", template_id=template.pk, actor=getattr(actor, "pk", None))
    return template


def set_preferences(
    *,
    customer: Any,
    channels: list[str],
    muted_events: list[str] | None = None,
    is_opted_out: bool = False,
    language: str = "",
) -> SubscriberPreference:
    """A subscriber's channel choice (cabinet and staff UI call this)."""
    unknown = set(channels) - {c.value for c in Channel if c != Channel.WEBHOOK}
    if unknown:
        raise UnknownEvent(f"Unknown channel(s): {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        pref, _created = SubscriberPreference.objects.update_or_create(
            customer=customer,
            defaults={
                "channels": list(dict.fromkeys(channels)),
                "muted_events": list(muted_events or []),
                "is_opted_out": is_opted_out,
                "language": language,
            },
        )
    return pref
