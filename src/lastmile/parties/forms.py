"""Staff forms of parties: they parse input; the services check and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lastmile.addresses.picker import registry_field
from lastmile.parties.models import LegalEntity
from lastmile.parties.services import LEGAL_FIELDS

#: What staff edit on a legal entity: every field the service saves but the
#: site, which comes from the staff member's own site.
LEGAL_FORM_FIELDS = tuple(name for name in LEGAL_FIELDS if name != "site")


ADDRESS_LABELS = {
    "legal_address": _("legal address in the registry"),
    "actual_address": _("actual address in the registry"),
    "postal_address": _("postal address in the registry"),
}


class LegalEntityForm(forms.ModelForm[LegalEntity]):
    class Meta:
        model = LegalEntity
        fields = LEGAL_FORM_FIELDS

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in ADDRESS_LABELS.items():
            self.fields[name] = registry_field(user, label)

    def validate_unique(self) -> None:
        """The service says "already exists" with its own message."""

    def _post_clean(self) -> None:
        # Model-level checks (regex constraints) are the service's; skip them here.
        pass

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in LEGAL_FORM_FIELDS}


class BranchForm(forms.Form):
    login = forms.CharField(label=_("customer login"), max_length=64)
    name = forms.CharField(label=_("branch name"), max_length=255, required=False)


class IndividualForm(forms.Form):
    last_name = forms.CharField(label=_("last name"), max_length=100, required=False)
    first_name = forms.CharField(label=_("first name"), max_length=100, required=False)
    patronymic = forms.CharField(label=_("patronymic"), max_length=100, required=False)
    series = forms.CharField(label=_("passport series"), max_length=10, required=False)
    number = forms.CharField(label=_("passport number"), max_length=20, required=False)
    issued_by = forms.CharField(label=_("issued by"), max_length=500, required=False)
    issued_on = forms.DateField(
        label=_("issue date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    unit_code = forms.CharField(
        label=_("unit code"), max_length=7, required=False, help_text=_("Like 770-001.")
    )
    birth_date = forms.DateField(
        label=_("birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    registration_address_text = forms.CharField(
        label=_("registration address"), max_length=500, required=False
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["registration_address"] = registry_field(
            user, _("registration address in the registry")
        )
