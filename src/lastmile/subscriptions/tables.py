from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from lastmile.subscriptions.models import BillingRun, OneOffService, PeriodicFee, Tariff


def _actions(edit: str, delete: str) -> tables.TemplateColumn:
    return tables.TemplateColumn(
        template_name="core/row_actions.html",
        verbose_name="",
        orderable=False,
        extra_context={"edit_url": edit, "delete_url": delete},
    )


class TariffTable(tables.Table):
    name = tables.LinkColumn("subscriptions:tariff_edit", args=[tables.A("pk")])
    actions = _actions("subscriptions:tariff_edit", "subscriptions:tariff_delete")

    class Meta:
        model = Tariff
        fields = (
            "name",
            "price",
            "period_kind",
            "period_days",
            "rate_down_kbps",
            "rate_up_kbps",
            "is_public",
            "is_active",
        )
        attrs = {"class": "table"}
        empty_text = _("No tariffs yet.")


class PeriodicFeeTable(tables.Table):
    name = tables.LinkColumn("subscriptions:fee_edit", args=[tables.A("pk")])
    actions = _actions("subscriptions:fee_edit", "subscriptions:fee_delete")

    class Meta:
        model = PeriodicFee
        fields = ("name", "price", "period_kind", "period_days", "is_active")
        attrs = {"class": "table"}
        empty_text = _("No periodic fees yet.")


class OneOffServiceTable(tables.Table):
    name = tables.LinkColumn("subscriptions:service_edit", args=[tables.A("pk")])
    actions = _actions("subscriptions:service_edit", "subscriptions:service_delete")

    class Meta:
        model = OneOffService
        fields = ("name", "price", "is_active")
        attrs = {"class": "table"}
        empty_text = _("No one-off services yet.")


class BillingRunTable(tables.Table):
    class Meta:
        model = BillingRun
        fields = (
            "id",
            "at",
            "started_at",
            "finished_at",
            "renewed",
            "expired",
            "preorders_applied",
            "fees_charged",
            "total_charged",
        )
        attrs = {"class": "table"}
        empty_text = _("No billing runs yet.")
