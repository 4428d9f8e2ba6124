from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from lastmile.finance.models import LedgerEntry, Payment


class LedgerTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name=_("time"), format="d.m.Y H:i")
    customer = tables.Column(
        accessor="account__customer__login", verbose_name=_("customer"), orderable=False
    )
    cause = tables.Column(empty_values=(), verbose_name=_("cause"), orderable=False)
    actor = tables.Column(empty_values=(), verbose_name=_("actor"), orderable=False)

    class Meta:
        model = LedgerEntry
        fields = (
            "created_at",
            "customer",
            "kind",
            "amount",
            "balance_before",
            "balance_after",
            "cause",
            "actor",
        )
        attrs = {"class": "table ledger"}
        empty_text = _("No entries.")

    def render_cause(self, record: LedgerEntry) -> str:
        if record.reason:
            return record.reason
        if record.payment_id:
            return _("payment #%(id)s") % {"id": record.payment_id}
        if record.subscription_id:
            return _("subscription #%(id)s") % {"id": record.subscription_id}
        if record.fee_id:
            return _("periodic fee #%(id)s") % {"id": record.fee_id}
        return "—"

    def render_actor(self, record: LedgerEntry) -> str:
        return (
            record.actor.get_username() if record.actor_id and record.actor else record.actor_label
        )


class CustomerLedgerTable(LedgerTable):
    class Meta(LedgerTable.Meta):
        exclude = ("customer",)


class PaymentTable(tables.Table):
    paid_at = tables.DateTimeColumn(
        format="d.m.Y H:i", linkify=("finance:payment_detail", {"pk": tables.A("pk")})
    )
    customer = tables.Column(accessor="account__customer__login", verbose_name=_("customer"))

    class Meta:
        model = Payment
        fields = (
            "paid_at",
            "customer",
            "amount",
            "gateway",
            "external_id",
            "receipt_number",
            "state",
            "actor",
        )
        attrs = {"class": "table"}
        empty_text = _("No payments.")
