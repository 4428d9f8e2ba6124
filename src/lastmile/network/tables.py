from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from lastmile.network.models import AccessBinding, Lease, Nas, Pool, Session, Vlan

_ROW_ACTIONS = "core/row_actions.html"


def _actions(prefix: str) -> tables.TemplateColumn:
    return tables.TemplateColumn(
        template_name=_ROW_ACTIONS,
        verbose_name="",
        orderable=False,
        extra_context={
            "edit_url": f"network:{prefix}_edit",
            "delete_url": f"network:{prefix}_delete",
        },
    )


class NasTable(tables.Table):
    name = tables.LinkColumn("network:nas_edit", args=[tables.A("pk")])
    # The token page is the aaa app's (it issues the rlm_rest token).
    rest_token = tables.TemplateColumn(
        template_code=(
            "{% load i18n %}<a href=\"{% url 'aaa:nas_token' record.pk %}\">"
            "{% if record.api_token_hash %}{% translate 'issued' %}"
            "{% else %}{% translate 'none' %}{% endif %}</a>"
        ),
        verbose_name=_("REST token"),
        orderable=False,
    )
    actions = _actions("nas")

    class Meta:
        model = Nas
        fields = (
            "name",
            "address",
            "vendor",
            "require_message_authenticator",
            "coa_port",
            "is_active",
        )
        attrs = {"class": "table"}
        empty_text = _("No NASes yet.")


class VlanTable(tables.Table):
    vid = tables.LinkColumn("network:vlan_edit", args=[tables.A("pk")])
    actions = _actions("vlan")

    class Meta:
        model = Vlan
        fields = ("vid", "name", "description")
        attrs = {"class": "table"}
        empty_text = _("No VLANs yet.")


class PoolTable(tables.Table):
    name = tables.LinkColumn("network:pool_edit", args=[tables.A("pk")])
    usage = tables.TemplateColumn(
        template_name="network/_usage_bar.html", verbose_name=_("usage"), orderable=False
    )
    leases = tables.LinkColumn(
        "network:lease_list",
        text=_("leases"),
        verbose_name="",
        orderable=False,
        accessor="pk",
    )
    actions = _actions("pool")

    class Meta:
        model = Pool
        fields = ("name", "kind", "network", "gateway", "vlan", "priority", "is_active")
        attrs = {"class": "table"}
        empty_text = _("No pools yet.")

    def render_leases(self, record: Pool, value: Any) -> Any:
        from django.urls import reverse
        from django.utils.html import format_html

        return format_html(
            '<a href="{}?pool={}">{}</a>', reverse("network:lease_list"), record.pk, _("leases")
        )


class LeaseTable(tables.Table):
    address = tables.TemplateColumn(
        '<a href="{% url "network:lease_list" %}?address={{ record.address }}&amp;state=all">'
        "{{ record.address }}</a>",
        verbose_name=_("address"),
    )
    customer = tables.Column(accessor="customer__login", verbose_name=_("customer"))
    end = tables.TemplateColumn(
        template_name="network/_lease_end.html", verbose_name="", orderable=False
    )

    class Meta:
        model = Lease
        fields = (
            "address", "customer", "pool", "kind", "mac", "remote_id", "circuit_id", "nas",
            "started_at", "expires_at", "ended_at", "end_reason",
        )  # fmt: skip
        attrs = {"class": "table"}
        empty_text = _("No leases.")


#: The names of the requests the aaa app sends a NAS (its ``NasAttempt.Kind``),
#: for the session list; the aaa app sits above this one.
COA_KIND_LABELS = {
    "coa": _("change of authorization"),
    "disconnect": _("disconnect"),
    "guest_coa": _("change of authorization to the guest profile"),
}


class SessionTable(tables.Table):
    customer = tables.Column(accessor="customer__login", verbose_name=_("customer"), default="")
    traffic = tables.TemplateColumn(
        "{{ record.octets_in|filesizeformat }} / {{ record.octets_out|filesizeformat }}",
        verbose_name=_("in / out"),
        orderable=False,
    )
    disconnect = tables.TemplateColumn(
        template_name="network/_session_disconnect.html", verbose_name="", orderable=False
    )

    class Meta:
        model = Session
        fields = (
            "nas", "acct_session_id", "customer", "login", "address", "mac", "started_at",
            "updated_at", "stopped_at", "terminate_cause", "coa_kind", "coa_result",
        )  # fmt: skip
        attrs = {"class": "table"}
        empty_text = _("No sessions.")

    def render_coa_kind(self, value: str) -> str:
        """The request's name ("disconnect" is a code)."""
        return str(COA_KIND_LABELS.get(value, value))


class BindingTable(tables.Table):
    customer = tables.LinkColumn(
        "customers:customer_detail",
        args=[tables.A("customer_id")],
        accessor="customer__login",
        verbose_name=_("customer"),
    )
    port_switch = tables.Column(verbose_name=_("switch (parsed)"))
    port_name = tables.Column(verbose_name=_("port (parsed)"))
    actions = _actions("binding")

    class Meta:
        model = AccessBinding
        fields = ("customer", "mac", "remote_id", "circuit_id", "port_switch", "port_name",
                  "description")  # fmt: skip
        attrs = {"class": "table"}
        empty_text = _("No IPoE bindings.")
