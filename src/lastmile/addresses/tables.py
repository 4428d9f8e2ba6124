"""Staff tables of the address registry."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from lastmile.addresses.models import AddressObject


class AddressTable(tables.Table):
    name = tables.Column(verbose_name=_("name"))
    parent = tables.Column(verbose_name=_("parent"), orderable=False)

    class Meta:
        model = AddressObject
        fields = ("name", "level", "parent", "postcode", "fias_guid", "is_active")
        sequence = fields
        attrs = {"class": "table"}
        order_by = ("name",)
        empty_text = _("No addresses match. Import a GAR extract to fill the registry.")

    def render_name(self, record: AddressObject) -> str:
        return format_html('<a href="?parent={}">{}</a>', record.pk, record.label())

    def value_name(self, record: AddressObject) -> str:
        return record.label()
