"""Staff forms of the devices app (values only; saving is in services)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lastmile.addresses.picker import registry_field
from lastmile.devices import services
from lastmile.devices.errors import InvalidDeviceData
from lastmile.devices.models import (
    SECRET_FIELDS,
    Device,
    OnuTemplate,
    Port,
    PortMode,
    PortRole,
    PortWatch,
)

_SECRET_LABELS = {
    "snmp_community": _("SNMP read community"),
    "snmp_write_community": _("SNMP write community"),
    "snmp_auth_key": _("SNMP v3 auth key"),
    "snmp_priv_key": _("SNMP v3 privacy key"),
    "cli_password": _("CLI password"),
    "cli_enable_password": _("CLI enable password"),
}


class DeviceForm(forms.ModelForm[Device]):
    """A device; secrets are write-only (empty keeps the stored one) and the
    extra data is JSON checked by the chosen type's schema."""

    driver = forms.ChoiceField(label=_("type"), choices=(), required=False)
    extra = forms.CharField(
        label=_("extra data"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_('JSON object, e.g. {"telnet_prompt": "OLT#"}; checked for the chosen type.'),
    )

    class Meta:
        model = Device
        fields = [
            "name", "driver", "ip", "mac", "address", "address_object", "group", "site", "parent",
            "is_monitored", "snmp_version", "snmp_port", "snmp_user", "snmp_auth_protocol",
            "snmp_priv_protocol", "cli_username", "cli_port", "description", "extra",
        ]  # fmt: skip

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["driver"].choices = services.driver_choices()  # type: ignore[attr-defined]
        self.fields["address"].label = _("Address (as typed)")
        self.fields["address"].help_text = _(
            "Free text: shown as the label, and sent to SORM when no registry address is picked."
        )
        self.fields["address_object"] = _registry_picker(user, self.instance.address_object_id)
        for name in SECRET_FIELDS:
            self.fields[name] = forms.CharField(
                label=_SECRET_LABELS[name],
                required=False,
                widget=forms.PasswordInput(render_value=False),
                help_text=_("Stored encrypted. Leave empty to keep the current value.")
                if self.instance.pk and self.instance.has_secret(name)
                else "",
            )
        if not self.is_bound:
            self.initial["extra"] = json.dumps(self.instance.extra or {}, ensure_ascii=False)
        if self.instance.pk:
            self.fields["parent"].queryset = Device.objects.exclude(pk=self.instance.pk)  # type: ignore[attr-defined]

    def clean_driver(self) -> str:
        return self.cleaned_data.get("driver") or "unknown"

    def clean_extra(self) -> Any:
        raw = (self.cleaned_data.get("extra") or "").strip()
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("Extra data is not valid JSON: %(error)s") % {"error": exc.msg}
            ) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "extra" in data and "driver" in data:
            try:
                data["extra"] = services.validate_extra(data["driver"], data["extra"])
            except InvalidDeviceData as exc:
                self.add_error("extra", str(exc))
        return data

    def secrets(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in SECRET_FIELDS}


def _registry_picker(user: Any, current_id: int | None) -> forms.ModelChoiceField[Any]:
    """The installation address from the registry (the same picker as the
    customer form); the current object is kept even when since retired or
    outside the user's view.  Left unpicked, the typed address stays and
    ``lastmile match-addresses`` matches it later."""
    field = registry_field(user, _("Address in the registry"))
    if current_id:
        visible = field.queryset
        assert visible is not None
        field.queryset = visible.model._default_manager.filter(
            Q(pk__in=visible.values("pk")) | Q(pk=current_id)
        )
    return field


class PortForm(forms.ModelForm[Port]):
    class Meta:
        model = Port
        fields = ["number", "name", "description", "mode", "role", "watch"]


class PortVlanForm(forms.Form):
    untagged = forms.IntegerField(label=_("untagged VLAN"), required=False)
    tagged = forms.CharField(
        label=_("tagged VLANs"), required=False, help_text=_("Comma-separated, e.g. 100, 200.")
    )

    def clean_tagged(self) -> list[str]:
        raw = self.cleaned_data.get("tagged") or ""
        return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]


class LinkForm(forms.Form):
    upper_device = forms.ModelChoiceField(
        label=_("upstream device"), queryset=Device.objects.none()
    )
    upper_number = forms.IntegerField(label=_("its port"), min_value=1)
    own_number = forms.IntegerField(label=_("this device's port"), min_value=1)


class OnuRegisterForm(forms.Form):
    fiber = forms.CharField(label=_("fiber"), max_length=100)
    serial = forms.CharField(label=_("serial"), max_length=32)
    template = forms.ModelChoiceField(label=_("template"), queryset=OnuTemplate.objects.all())
    name = forms.CharField(label=_("name"), max_length=64, required=False)


class OnuNameForm(forms.Form):
    fiber = forms.CharField(max_length=100, widget=forms.HiddenInput)
    number = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("name"), max_length=64)
    description = forms.CharField(label=_("description"), max_length=255, required=False)


class PortSettingsForm(forms.Form):
    mode = forms.ChoiceField(label=_("mode"), choices=PortMode.choices)
    role = forms.ChoiceField(label=_("role"), choices=PortRole.choices, required=False)
    watch = forms.ChoiceField(label=_("watch link"), choices=PortWatch.choices, required=False)


class OnuVlanForm(forms.Form):
    action = forms.ChoiceField(
        label=_("action"), choices=[("add", _("add")), ("remove", _("remove"))]
    )
    vlan = forms.CharField(label=_("VLAN ID"), max_length=10)  # range checked by the service


class OnuTemplateForm(forms.ModelForm[OnuTemplate]):
    """An ONU configuration template; the driver's template names are the choices."""

    driver = forms.ChoiceField(label=_("OLT type"), choices=(), required=False)
    driver_template = forms.ChoiceField(label=_("driver template"), choices=(), required=False)

    class Meta:
        model = OnuTemplate
        fields = ["name", "driver", "onu_type", "vlan", "driver_template"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from lastmile.drivers import base

        super().__init__(*args, **kwargs)
        olts = [(d, t) for d, t in base.choices() if base.get(d).is_olt]
        self.fields["driver"].choices = [("", _("any OLT")), *olts]  # type: ignore[attr-defined]
        names = sorted(
            {n for d, _t in olts for n in getattr(base.get(d), "template_names", list)()}
        )
        self.fields["driver_template"].choices = [("", _("the OLT's default"))] + [  # type: ignore[attr-defined]
            (n, n) for n in names
        ]
        self.fields["vlan"].widget.attrs.update({"min": 1, "max": 4094})


MODE_CHOICES = PortMode.choices
ROLE_CHOICES = PortRole.choices
