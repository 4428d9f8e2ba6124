"""Staff forms of contracts (parsing only; the services check and save)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lastmile.addresses.picker import registry_field
from lastmile.contracts.models import ContractKind, ContractState, DocumentTemplate


class ContractForm(forms.Form):
    number = forms.CharField(label=_("number"), max_length=64)
    kind = forms.ChoiceField(label=_("kind"), choices=ContractKind.choices)
    title = forms.CharField(label=_("title"), max_length=255, required=False)
    signed_on = forms.DateField(
        label=_("signed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    starts_on = forms.DateField(
        label=_("starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    state = forms.ChoiceField(
        label=_("state"),
        choices=[(s.value, s.label) for s in (ContractState.DRAFT, ContractState.ACTIVE)],
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Empty: the access point is the customer's own registry address.
        self.fields["access_address"] = registry_field(user, _("access point address"))


class StateForm(forms.Form):
    to_state = forms.ChoiceField(label=_("new state"), choices=ContractState.choices)
    on_date = forms.DateField(
        label=_("date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("reason"), max_length=255, required=False)


class DocumentForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("template"), queryset=DocumentTemplate.objects.filter(is_active=True)
    )


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("contract kind"), choices=ContractKind.choices)
    body = forms.CharField(
        label=_("template"),
        widget=forms.Textarea(attrs={"rows": 24, "class": "code"}),
        help_text=_("HTML with {{ fields }} and {% if %} tags; the fields are listed below."),
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)
    contract = forms.IntegerField(
        label=_("preview with contract (id)"),
        required=False,
        help_text=_("Empty: the latest contract."),
    )
