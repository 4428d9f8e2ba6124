from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from lastmile.accounts.models import AuthEvent, Site


class SiteTable(tables.Table):
    name = tables.LinkColumn("accounts:site_edit", args=[tables.A("pk")])
    actions = tables.TemplateColumn(
        template_name="core/row_actions.html",
        verbose_name="",
        orderable=False,
        extra_context={"edit_url": "accounts:site_edit", "delete_url": "accounts:site_delete"},
    )

    class Meta:
        model = Site
        fields = ("name", "slug", "address", "created_at")
        attrs = {"class": "table"}
        empty_text = _("No sites yet.")


class AuthEventTable(tables.Table):
    class Meta:
        model = AuthEvent
        fields = ("created_at", "kind", "username", "ip_address", "user_agent")
        attrs = {"class": "table"}
        empty_text = _("No login events.")
