"""Staff tables of parties."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from lastmile.parties.models import AddressReview, LegalEntity


class LegalEntityTable(tables.Table):
    short_name = tables.LinkColumn("parties:legal_detail", args=[tables.A("pk")])
    branch_count = tables.Column(verbose_name=_("branches"), attrs={"td": {"class": "num"}})

    class Meta:
        model = LegalEntity
        fields = ("short_name", "kind", "inn", "kpp", "ogrn", "branch_count", "is_active")
        sequence = fields
        attrs = {"class": "table"}
        order_by = ("short_name",)
        empty_text = _("No legal entities yet.")


class AddressReviewTable(tables.Table):
    customer = tables.LinkColumn(
        "customers:customer_detail",
        args=[tables.A("customer_id")],
        accessor="customer__login",
        verbose_name=_("customer"),
    )

    class Meta:
        model = AddressReview
        fields = ("customer", "address_text", "reason", "is_resolved", "updated_at")
        sequence = fields
        attrs = {"class": "table"}
        empty_text = _("Every customer address matched the registry.")
