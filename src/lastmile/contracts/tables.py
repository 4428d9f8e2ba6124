"""Staff tables of contracts."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from lastmile.contracts.models import Contract, DocumentTemplate


class ContractTable(tables.Table):
    number = tables.LinkColumn("contracts:contract_detail", args=[tables.A("pk")])
    owner = tables.Column(
        verbose_name=_("customer or legal entity"), empty_values=(), orderable=False
    )

    class Meta:
        model = Contract
        fields = ("number", "owner", "kind", "state", "signed_on", "starts_on", "ends_on")
        sequence = fields
        attrs = {"class": "table"}
        empty_text = _("No contracts match.")

    def render_owner(self, record: Contract) -> str:
        if record.customer_id:
            return str(record.customer)
        return str(record.legal_entity)

    def value_owner(self, record: Contract) -> str:
        return self.render_owner(record)


class TemplateTable(tables.Table):
    name = tables.LinkColumn("contracts:template_edit", args=[tables.A("pk")])

    class Meta:
        model = DocumentTemplate
        fields = ("name", "kind", "is_active", "updated_at")
        sequence = fields
        attrs = {"class": "table"}
        empty_text = _("No templates yet.")
