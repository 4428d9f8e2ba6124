"""Staff tables of the address registry."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from lastmile.addresses import socrbase
from lastmile.addresses.models import AddressObject


class AddressTable(tables.Table):
    name = tables.Column(verbose_name=_("name"))
    parent = tables.Column(verbose_name=_("parent"), orderable=False)
    type_code = tables.Column(verbose_name=_("SOCRBASE type"), empty_values=())
    edit = tables.Column(
        verbose_name="", empty_values=(), orderable=False, exclude_from_export=True
    )

    class Meta:
        model = AddressObject
        fields = ("name", "level", "type_code", "parent", "postcode", "fias_guid", "is_active")
        sequence = (*fields, "edit")
        attrs = {"class": "table"}
        order_by = ("name",)
        empty_text = _("No addresses match. Import a GAR extract to fill the registry.")

    def render_name(self, record: AddressObject) -> str:
        return format_html('<a href="?parent={}">{}</a>', record.pk, record.label())

    def value_name(self, record: AddressObject) -> str:
        return record.label()

    def render_type_code(self, record: AddressObject) -> SafeString | str:
        if record.type_code is not None:
            return str(record.type_code)
        if record.level in socrbase.LEVELS:
            # SORM refuses the object's row; the data-gaps report lists it.
            return format_html('<span class="status-down">{}</span>', _("no code"))
        return "—"

    def value_type_code(self, record: AddressObject) -> str:
        return "" if record.type_code is None else str(record.type_code)

    def render_edit(self, record: AddressObject) -> SafeString:
        return format_html(
            '<a href="{}">{}</a>', reverse("addresses:edit", args=[record.pk]), _("edit")
        )
