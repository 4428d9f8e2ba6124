"""Staff tables (django-tables2, paged on the server)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lastmile.customers.models import Customer, CustomerGroup, ExtraField


class CustomerTable(tables.Table):
    login = tables.LinkColumn("customers:customer_detail", args=[tables.A("pk")])
    phones = tables.Column(verbose_name=_("phones"), orderable=False)
    address = tables.Column(verbose_name=_("address"), orderable=False, empty_values=())
    group = tables.Column(order_by=("group__name",))
    site = tables.Column(order_by=("site__name",))
    is_active = tables.BooleanColumn()

    class Meta:
        model = Customer
        fields = (
            "login",
            "contract_number",
            "full_name",
            "phones",
            "address",
            "group",
            "site",
            "is_active",
        )
        attrs = {"class": "table"}
        empty_text = _("No customers match.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not settings.LASTMILE.sites_enabled:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "site")
        super().__init__(*args, **kwargs)

    def render_phones(self, value: list[str]) -> str:
        return ", ".join(value)


class GroupTable(tables.Table):
    name = tables.LinkColumn("customers:group_edit", args=[tables.A("pk")])
    actions = tables.TemplateColumn(
        template_name="core/row_actions.html",
        verbose_name="",
        orderable=False,
        extra_context={"edit_url": "customers:group_edit", "delete_url": "customers:group_delete"},
    )

    class Meta:
        model = CustomerGroup
        fields = ("name", "site", "description")
        attrs = {"class": "table"}
        empty_text = _("No customer groups yet.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not settings.LASTMILE.sites_enabled:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "site")
        super().__init__(*args, **kwargs)


class ExtraFieldTable(tables.Table):
    name = tables.LinkColumn("customers:extra_field_edit", args=[tables.A("pk")])
    group = tables.Column(default=_("all groups"))
    actions = tables.TemplateColumn(
        template_name="core/row_actions.html",
        verbose_name="",
        orderable=False,
        extra_context={
            "edit_url": "customers:extra_field_edit",
            "delete_url": "customers:extra_field_delete",
        },
    )

    class Meta:
        model = ExtraField
        fields = ("name", "kind", "group", "is_required", "position")
        attrs = {"class": "table"}
        empty_text = _("No extra fields yet.")
