from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lastmile.sorm.filetypes import REGISTRY
from lastmile.sorm.models import DataGap, ExportRun

OBJECT_TYPES = {
    "customer": _("customer"),
    "lease": _("lease"),
    "nas": _("NAS"),
    "contract": _("contract"),
    "legal_entity": _("legal entity"),
    "address": _("address object"),
    "device": _("device"),
}
#: Where staff fix an object of a type that is not a customer (the customer
#: column links those).
OBJECT_PAGES = {"device": "devices:device_edit"}


def _object_page(record: DataGap) -> str | None:
    page = OBJECT_PAGES.get(record.object_type)
    return reverse(page, args=[record.object_id]) if page else None


class ExportRunTable(tables.Table):
    id = tables.Column(
        verbose_name="#", linkify=lambda record: reverse("sorm:run_detail", args=[record.pk])
    )
    started_at = tables.DateTimeColumn(verbose_name=_("Started"), format="Y-m-d H:i:s")
    kind = tables.Column(verbose_name=_("Kind"))
    as_of = tables.DateTimeColumn(verbose_name=_("Data as of"), format="Y-m-d H:i:s")
    state = tables.Column(verbose_name=_("State"))
    finished_at = tables.DateTimeColumn(verbose_name=_("Finished"), format="Y-m-d H:i:s")
    error = tables.Column(verbose_name=_("Error"))

    class Meta:
        model = ExportRun
        fields = ("id", "started_at", "kind", "as_of", "state", "finished_at", "error")
        attrs = {"class": "table"}


class DataGapTable(tables.Table):
    kind = tables.Column(verbose_name=_("Problem"))
    file_type = tables.Column(verbose_name=_("File type"))
    object_type = tables.Column(verbose_name=_("Object type"))
    object_id = tables.Column(verbose_name=_("Object id"), linkify=_object_page)
    customer = tables.Column(
        verbose_name=_("Customer"),
        accessor="customer__login",
        linkify=lambda record: (
            reverse("customers:customer_detail", args=[record.customer_id])
            if record.customer_id
            else None
        ),
        default="",
    )
    message = tables.Column(verbose_name=_("Details"))
    found_at = tables.DateTimeColumn(verbose_name=_("Found"), format="Y-m-d H:i")

    def render_file_type(self, value: str) -> object:
        file_type = REGISTRY.get(value)
        return file_type.title if file_type else value

    def render_object_type(self, value: str) -> object:
        return OBJECT_TYPES.get(value, value)

    class Meta:
        model = DataGap
        fields = (
            "kind",
            "file_type",
            "object_type",
            "object_id",
            "customer",
            "message",
            "found_at",
        )
        attrs = {"class": "table"}
