from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from lastmile.tickets.models import Ticket, TicketKind


class TicketTable(tables.Table):
    id = tables.Column(linkify=True, verbose_name="#")
    kind = tables.Column(verbose_name=_("Kind"), orderable=False)
    state = tables.Column(verbose_name=_("State"))
    priority = tables.Column(verbose_name=_("Priority"))
    customer = tables.Column(verbose_name=_("Customer"), orderable=False)
    executors = tables.Column(verbose_name=_("Executors"), empty_values=(), orderable=False)
    due_at = tables.DateTimeColumn(verbose_name=_("Due"), format="Y-m-d H:i")
    created_at = tables.DateTimeColumn(verbose_name=_("Created"), format="Y-m-d H:i")

    class Meta:
        model = Ticket
        fields = (
            "id",
            "kind",
            "state",
            "priority",
            "customer",
            "executors",
            "due_at",
            "created_at",
        )
        attrs = {"class": "table", "id": "tickets-table"}
        row_attrs = {"data-state": lambda record: record.state}

    def render_executors(self, record: Ticket) -> Any:
        return format_html_join(", ", "{}", ((u.get_username(),) for u in record.executors.all()))

    def render_due_at(self, record: Ticket, value: Any) -> Any:
        # Local time, as on the ticket page (the value is an aware UTC datetime).
        text = dateformat.format(timezone.localtime(value), "Y-m-d H:i") if value else ""
        if record.is_overdue:
            return format_html('<span class="danger">{}</span>', text)
        return text


class TicketKindTable(tables.Table):
    name = tables.LinkColumn("tickets:kind_edit", args=[tables.A("pk")])
    default_responsible = tables.Column(verbose_name=_("Responsible by default"))

    class Meta:
        model = TicketKind
        fields = (
            "name", "code", "is_active", "position", "notify_customer_on_finish",
            "default_responsible",
        )  # fmt: skip
        attrs = {"class": "table"}
        empty_text = _("No ticket kinds yet.")
