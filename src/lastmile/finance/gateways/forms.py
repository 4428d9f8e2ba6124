from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lastmile.finance.forms import MoneyField
from lastmile.finance.gateways.base import Gateway
from lastmile.finance.gateways.models import GatewayConfig, validate_network

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class NetworksField(forms.CharField):
    """One network per line (or comma separated) ↔ a list of strings."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]

    def validate(self, value: Any) -> None:
        for network in value:
            validate_network(network)


class GatewayConfigForm(forms.ModelForm[GatewayConfig]):
    """The common settings plus the plugin's own options and credentials.
    A credential left empty keeps its stored value."""

    allowed_networks = NetworksField(
        label=_("Allowed source networks"),
        required=False,
        help_text=_("One per line, e.g. 192.0.2.0/24. Callbacks from elsewhere are refused."),
    )

    # The one money parser, as everywhere money is typed (not Django's DecimalField,
    # which takes "1e3" and non-ASCII digits).
    min_amount = MoneyField(label=_("Minimum amount"), required=False)
    max_amount = MoneyField(label=_("Maximum amount"), required=False)

    class Meta:
        model = GatewayConfig
        fields = ["title", "is_enabled", "mode", "allowed_networks", "min_amount", "max_amount"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_amount"), data.get("max_amount")
        if low is not None and high is not None and low > high:
            self.add_error("max_amount", _("The maximum cannot be below the minimum."))
        return data

    def __init__(self, *args: Any, gateway: Gateway, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gateway = gateway
        stored = self.instance.get_credentials() if self.instance.credentials_encrypted else {}
        for spec in gateway.option_fields:
            field: forms.Field
            if spec.choices:
                field = forms.ChoiceField(
                    choices=[(value, _(label)) for value, label in spec.choices], required=False
                )
            else:
                field = forms.CharField(required=False, max_length=500)
            field.label, field.help_text = _(spec.label), _(spec.help)
            field.initial = self.instance.option(spec.key, "")
            self.fields[f"option_{spec.key}"] = field
        for spec in gateway.credential_fields:
            help_text = _("Stored encrypted. Leave empty to keep the current value.")
            self.fields[f"secret_{spec.key}"] = forms.CharField(
                label=_(spec.label),
                required=False,
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                help_text=f"{_(spec.help)} {help_text}" + (" ✓" if stored.get(spec.key) else ""),
            )

    def save(self, commit: bool = True) -> GatewayConfig:
        config: GatewayConfig = super().save(commit=False)
        config.name = self.gateway.name
        options = dict(config.options or {})
        for spec in self.gateway.option_fields:
            options[spec.key] = self.cleaned_data.get(f"option_{spec.key}", "")
        config.options = options
        credentials = config.get_credentials() if config.credentials_encrypted else {}
        for spec in self.gateway.credential_fields:
            value = self.cleaned_data.get(f"secret_{spec.key}", "")
            if value:
                credentials[spec.key] = value
        config.set_credentials(credentials)
        if commit:
            config.save()
        return config


class RegistryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Registry file (CSV)"),
        help_text=_(
            "Columns: date; customer login or contract number; amount; bank transaction id."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class ReconciliationForm(forms.Form):
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
