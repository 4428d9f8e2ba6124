from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from lastmile.devices.models import Device, DeviceAction, Onu, OnuTemplate


class DeviceTable(tables.Table):
    name = tables.LinkColumn("devices:device_detail", args=[tables.A("pk")])
    status = tables.TemplateColumn(
        template_name="devices/_status.html", verbose_name=_("Status"), order_by="status"
    )
    driver = tables.Column(verbose_name=_("Type"))
    parent = tables.Column(verbose_name=_("Parent device"), linkify=True)

    class Meta:
        model = Device
        fields = ("name", "status", "driver", "ip", "address", "group", "parent", "polled_at")
        attrs = {"class": "table"}
        empty_text = _("No devices yet.")

    def render_driver(self, value: str) -> str:
        from lastmile.devices.services import driver_choices

        return dict(driver_choices()).get(value, value)


class DeviceActionTable(tables.Table):
    device_name = tables.Column(verbose_name=_("Device"))
    parameters = tables.JSONColumn(verbose_name=_("Parameters"), orderable=False)

    class Meta:
        model = DeviceAction
        fields = (
            "started_at", "device_name", "actor_name", "operation", "parameters",
            "outcome", "error", "duration_ms",
        )  # fmt: skip
        attrs = {"class": "table"}
        empty_text = _("No actions yet.")

    def render_operation(self, record: DeviceAction) -> str:
        return record.operation_title


class OnuTable(tables.Table):
    onu = tables.LinkColumn(
        "devices:onu_detail", args=[tables.A("pk")], accessor="pk", verbose_name=_("ONU"),
        text=lambda record: f"{record.fiber}:{record.number}", order_by=("fiber", "number"),
    )  # fmt: skip
    olt = tables.Column(verbose_name=_("OLT"), linkify=True)
    customer = tables.Column(
        accessor="binding__customer__login", verbose_name=_("Customer"), default=""
    )

    class Meta:
        model = Onu
        fields = (
            "onu", "olt", "serial", "name", "model", "state", "is_present",
            "rx_dbm", "tx_dbm", "last_seen_at", "customer",
        )  # fmt: skip
        attrs = {"class": "table"}
        empty_text = _("No ONUs stored yet: they appear after an OLT is polled.")


class OnuTemplateTable(tables.Table):
    name = tables.LinkColumn("devices:template_edit", args=[tables.A("pk")])

    class Meta:
        model = OnuTemplate
        fields = ("name", "driver", "onu_type", "vlan", "driver_template")
        attrs = {"class": "table"}
        empty_text = _("No ONU templates yet.")
