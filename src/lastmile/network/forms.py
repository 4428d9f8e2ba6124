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


class PortPicker(forms.Select):
    """A select of inventory ports filled as staff type: a search box asks the
    devices app's ``devices:port_search`` (htmx) for matching ports."""

    template_name = "network/widgets/port_picker.html"


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
    device_port = forms.IntegerField(
        label=_("device port"),
        required=False,
        min_value=1,
        widget=PortPicker,
        help_text=_(
            "Type a device name, its IP or a port number, then choose the port "
            "(the devices you may view)."
        ),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = self.data.get("device_port") if self.is_bound else self.initial.get("device_port")
        self.fields["device_port"].widget.choices = device_port_choices(user, chosen)


def device_port_choices(user: Any, chosen: Any) -> list[tuple[Any, str]]:
    """("", "—") and the chosen port when the user may view its device; the
    rest come from the devices app's search as staff type (htmx).  The
    devices app sits above this one: its models are looked up by name."""
    from django.apps import apps

    choices: list[tuple[Any, str]] = [("", "—")]
    text = str(chosen or "")
    if user is None or not text.isdigit() or len(text) > 9:
        return choices
    device_model = apps.get_model("devices", "Device")
    port = (
        apps.get_model("devices", "Port")
        .objects.filter(device__in=device_model.objects.restrict(user, "view").values("pk"))
        .select_related("device")
        .filter(pk=int(text))
        .first()
    )
    if port is not None:
        device = port.device
        where = f"{device.name} ({device.ip})" if device.ip else device.name
        label = f"{where} · {port.number}" + (f" {port.name}" if port.name else "")
        choices.append((port.pk, label))
    return choices
