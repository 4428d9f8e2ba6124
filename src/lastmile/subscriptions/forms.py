from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lastmile.finance.forms import IdempotentForm, MoneyField
from lastmile.subscriptions.catalogue import TARIFF_FIELDS
from lastmile.subscriptions.models import OneOffService, PeriodicFee, PeriodKind, Tariff


class PeriodFormMixin(forms.ModelForm[Tariff | PeriodicFee]):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, days = data.get("period_kind"), data.get("period_days")
        if kind == PeriodKind.DAYS and not days:
            self.add_error("period_days", _("Give the length of the period in days."))
        if kind == PeriodKind.MONTH:
            data["period_days"] = None
        return data


class TariffForm(PeriodFormMixin):
    price = MoneyField(label=_("Price"), allow_negative=True)

    class Meta:
        model = Tariff
        fields = list(TARIFF_FIELDS)
        widgets = {"groups": forms.CheckboxSelectMultiple}

    def clean_price(self) -> Any:
        price = self.cleaned_data["price"]
        if price is None or price < 0:
            raise forms.ValidationError(_("The price cannot be negative."))
        return price


class PeriodicFeeForm(PeriodFormMixin):
    price = MoneyField(label=_("Price"))

    class Meta:
        model = PeriodicFee
        fields = ["name", "price", "period_kind", "period_days", "is_active"]


class OneOffServiceForm(forms.ModelForm[OneOffService]):
    price = MoneyField(label=_("Price"))

    class Meta:
        model = OneOffService
        fields = ["name", "price", "is_active"]


class ChooseTariffForm(forms.Form):
    tariff = forms.ModelChoiceField(label=_("Tariff"), queryset=Tariff.objects.none())
    auto_renew = forms.BooleanField(label=_("Renew automatically"), required=False, initial=True)

    def __init__(self, *args: Any, tariffs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tariff"].queryset = tariffs  # type: ignore[attr-defined]


class SellServiceForm(IdempotentForm):
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=OneOffService.objects.filter(is_active=True)
    )


class AssignFeeForm(forms.Form):
    fee = forms.ModelChoiceField(
        label=_("Periodic fee"), queryset=PeriodicFee.objects.filter(is_active=True)
    )
    start = forms.DateTimeField(
        label=_("First charge"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Empty: now."),
    )
