from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lastmile.network.models import Nas, Pool, Vlan, normalize_mac


class NasForm(forms.ModelForm[Nas]):
    secret = forms.CharField(
        label=_("shared secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current secret."),
    )

    class Meta:
        model = Nas
        fields = [
            "name", "address", "vendor", "require_message_authenticator", "coa_port",
            "is_active", "description",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.instance.secret_encrypted and not data.get("secret"):
            self.add_error("secret", _("A new NAS needs a shared secret."))
        return data

    def save(self, commit: bool = True) -> Nas:
        nas: Nas = super().save(commit=False)
        if self.cleaned_data.get("secret"):
            nas.set_secret(self.cleaned_data["secret"])
        if commit:
            nas.save()
        return nas


class PoolForm(forms.ModelForm[Pool]):
    class Meta:
        model = Pool
        fields = [
            "name", "kind", "network", "range_start", "range_end", "gateway",
            "delegated_prefix_length", "ipv6_use", "vlan", "tariffs", "groups", "nases", "priority",
            "is_active", "description",
        ]  # fmt: skip


class VlanForm(forms.ModelForm[Vlan]):
    class Meta:
        model = Vlan
        fields = ["vid", "name", "description"]


class StaticLeaseForm(forms.Form):
    login = forms.CharField(label=_("customer login"), max_length=64)
    address = forms.GenericIPAddressField(label=_("address"))
    mac = forms.CharField(label=_("MAC"), required=False, max_length=32)

    def clean_mac(self) -> str:
        value = self.cleaned_data.get("mac", "")
        if value and not normalize_mac(value):
            raise forms.ValidationError(_("Enter a MAC address like aa:bb:cc:dd:ee:ff."))
        return normalize_mac(value) if value else ""


class BindingForm(forms.Form):
    """An IPoE binding as staff type it; the service validates and normalises."""

    login = forms.CharField(label=_("customer login"), max_length=64)
    mac = forms.CharField(label=_("MAC"), required=False, max_length=32)
    remote_id = forms.CharField(
        label=_("option 82 remote id (switch)"),
        required=False,
        max_length=128,
        help_text=_("As the switch sends it: text, or hex like 0x0006001122334455."),
    )
    circuit_id = forms.CharField(
        label=_("option 82 circuit id (port)"),
        required=False,
        max_length=128,
        help_text=_("As the switch sends it: text like eth1/0/5, or hex like 0x000400640105."),
    )
    description = forms.CharField(label=_("description"), required=False, max_length=255)
    device_port = forms.TypedChoiceField(
        label=_("device port"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("The switch port from the devices inventory (the devices you may view)."),
    )

    #: Ports offered at most (a larger inventory: filter by typing the option 82 key).
    PORT_LIMIT = 3000

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["device_port"].choices = device_port_choices(user, limit=self.PORT_LIMIT)  # type: ignore[attr-defined]


def device_port_choices(user: Any, *, limit: int) -> list[Any]:
    """("", "—") then one group per device the user may view, with its ports.
    The devices app sits above this one: its models are looked up by name."""
    from django.apps import apps

    if user is None:
        return [("", "—")]
    device_model = apps.get_model("devices", "Device")
    port_model = apps.get_model("devices", "Port")
    visible = device_model.objects.restrict(user, "view").values("pk")
    ports = (
        port_model.objects.filter(device__in=visible)
        .select_related("device")
        .order_by("device__name", "number")[:limit]
    )
    groups: dict[str, list[tuple[int, str]]] = {}
    for port in ports:
        label = f"{port.number}" + (f" ({port.name})" if port.name else "")
        groups.setdefault(port.device.name, []).append((port.pk, label))
    return [("", "—"), *groups.items()]
