from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from lastmile.notifications.models import NotificationTemplate, Outbox


class OutboxTable(tables.Table):
    id = tables.Column(
        verbose_name="#",
        linkify=lambda record: reverse("notifications:outbox_detail", args=[record.pk]),
    )
    created_at = tables.DateTimeColumn(verbose_name=_("Created"), format="Y-m-d H:i:s")
    event = tables.Column(verbose_name=_("Event"))
    channel = tables.Column(verbose_name=_("Channel"))
    recipient = tables.Column(verbose_name=_("Recipient"))
    state = tables.Column(verbose_name=_("State"))
    attempts = tables.Column(verbose_name=_("Attempts"))
    next_attempt_at = tables.DateTimeColumn(verbose_name=_("Next attempt"), format="Y-m-d H:i:s")
    sent_at = tables.DateTimeColumn(verbose_name=_("Sent"), format="Y-m-d H:i:s")
    last_error = tables.Column(verbose_name=_("Last error"))

    class Meta:
        model = Outbox
        fields = (
            "id",
            "created_at",
            "event",
            "channel",
            "recipient",
            "state",
            "attempts",
            "next_attempt_at",
            "sent_at",
            "last_error",
        )
        attrs = {"class": "table", "id": "outbox-table"}
        row_attrs = {"data-state": lambda record: record.state}

    def render_state(self, record: Outbox, value: Any) -> Any:
        css = {"failed": "danger", "sent": "ok"}.get(record.state, "")
        return format_html('<span class="{}">{}</span>', css, value)

    def render_last_error(self, value: str) -> str:
        return value[:120]


class TemplateTable(tables.Table):
    event = tables.Column(
        verbose_name=_("Event"),
        linkify=lambda record: reverse("notifications:template_edit", args=[record.pk]),
    )
    language = tables.Column(verbose_name=_("Language"))
    channel = tables.Column(verbose_name=_("Channel"))
    subject = tables.Column(verbose_name=_("Subject"))
    is_active = tables.BooleanColumn(verbose_name=_("Active"))
    updated_at = tables.DateTimeColumn(verbose_name=_("Updated"), format="Y-m-d H:i")

    class Meta:
        model = NotificationTemplate
        fields = ("event", "language", "channel", "subject", "is_active", "updated_at")
        attrs = {"class": "table"}
