"""Staff forms.  Plain forms (not ModelForms): a ModelForm would write the
posted values into the instance before the service could tell which fields
changed.  The services do the checks; the forms only parse input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lastmile.accounts.models import Site
from lastmile.customers import validation
from lastmile.customers.errors import CustomersError
from lastmile.customers.models import Customer, CustomerGroup, ExtraField
from lastmile.customers.queries import ExtraValueRow
from lastmile.customers.services import CUSTOMER_FIELDS


def _choices(queryset: QuerySet[Any], user: Any, current_id: int | None) -> QuerySet[Any]:
    """What the user may view, plus the current value (so a form can be saved
    unchanged by staff who may edit customers but not see every group/site)."""
    visible = Q(pk__in=queryset.restrict(user, "view").values("pk"))  # type: ignore[attr-defined]
    return queryset.filter(visible | Q(pk=current_id)) if current_id else queryset.filter(visible)


def _drop_site_unless_enabled(form: forms.Form, user: Any, current_id: int | None) -> None:
    if "site" not in form.fields:
        return
    if settings.LASTMILE.sites_enabled:
        form.fields["site"].queryset = _choices(Site.objects.all(), user, current_id)  # type: ignore[attr-defined]
    else:
        del form.fields["site"]


class CustomerForm(forms.Form):
    login = forms.CharField(
        label=_("Login"), max_length=64, help_text=_("PPPoE user name and cabinet login.")
    )
    contract_number = forms.CharField(label=_("Contract number"), max_length=64)
    full_name = forms.CharField(label=_("Full name"), max_length=255, required=False)
    phones = forms.CharField(
        label=_("Phones"), max_length=500, required=False, help_text=_("Separate with commas.")
    )
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    locality = forms.CharField(label=_("Locality"), max_length=100, required=False)
    street = forms.CharField(label=_("Street"), max_length=100, required=False)
    house = forms.CharField(label=_("House"), max_length=20, required=False)
    apartment = forms.CharField(label=_("Apartment"), max_length=20, required=False)
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=CustomerGroup.objects.none(), required=False
    )
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    simultaneous_use = forms.IntegerField(
        label=_("Sessions at once"),
        required=False,
        min_value=0,
        max_value=1000,
        help_text=Customer._meta.get_field("simultaneous_use").help_text,
    )

    def __init__(self, *args: Any, user: Any, customer: Customer | None = None, **kwargs: Any):
        if customer is not None and customer.pk is not None:
            kwargs.setdefault("initial", customer_initial(customer))
        super().__init__(*args, **kwargs)
        current = customer if customer is not None else Customer()
        self.fields["group"].queryset = _choices(  # type: ignore[attr-defined]
            CustomerGroup.objects.all(), user, current.group_id
        )
        _drop_site_unless_enabled(self, user, current.site_id)
        _add_registry_picker(self, user, current.address_object_id)

    def clean_phones(self) -> list[str]:
        return [p for p in self.cleaned_data["phones"].split(",") if p.strip()]

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if name in CUSTOMER_FIELDS}


def _add_registry_picker(form: forms.Form, user: Any, current_id: int | None) -> None:
    """The registry object of the service address, right after the typed parts
    (the same picker as the legal entity, passport and contract forms).  Left
    unpicked, the typed address stays and ``match_addresses`` matches it later
    (what does not match goes to the review list)."""
    if not apps.is_installed("lastmile.addresses"):
        return
    from lastmile.addresses.picker import registry_field

    field = registry_field(user, _("Address in the registry"))
    if current_id:  # kept on save even when retired or outside the user's view
        visible = field.queryset
        assert visible is not None
        field.queryset = visible.model._default_manager.filter(
            Q(pk__in=visible.values("pk")) | Q(pk=current_id)
        )
    form.fields["address_object"] = field
    names = list(form.fields)
    names.remove("address_object")
    names.insert(names.index("apartment") + 1, "address_object")
    form.order_fields(names)


def customer_initial(customer: Customer) -> dict[str, Any]:
    initial = {name: getattr(customer, name) for name in CUSTOMER_FIELDS}
    initial["address_object"] = customer.address_object_id
    initial["phones"] = ", ".join(customer.phones)
    return initial


class CustomerCreateForm(CustomerForm):
    pppoe_password = forms.CharField(
        label=_("PPPoE password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted. Can be set later."),
    )
    cabinet_password = forms.CharField(
        label=_("Cabinet password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Stored hashed. Can be set later."),
    )


class PasswordsForm(forms.Form):
    pppoe_password = forms.CharField(
        label=_("New PPPoE password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current one."),
    )
    cabinet_password = forms.CharField(
        label=_("New cabinet password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current one."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("pppoe_password") and not data.get("cabinet_password"):
            raise forms.ValidationError(_("Enter at least one new password."))
        return data


class ExtraValuesForm(forms.Form):
    """One input per extra field that applies to the customer."""

    def __init__(self, *args: Any, rows: list[ExtraValueRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extra_fields = {f"extra_{row.field.pk}": row.field for row in rows}
        for name, field in self.extra_fields.items():
            self.fields[name] = _extra_input(field)
            self.initial[name] = next(r.value for r in rows if r.field.pk == field.pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, field in self.extra_fields.items():
            try:
                validation.clean_extra_value(field, str(data.get(name) or ""))
            except CustomersError as exc:
                self.add_error(name, str(exc))
        return data

    def values(self) -> dict[int, str]:
        return {
            field.pk: str(self.cleaned_data.get(name) or "")
            for name, field in self.extra_fields.items()
        }


def _extra_input(field: ExtraField) -> forms.Field:
    common: dict[str, Any] = {"label": field.name, "required": False}
    if field.kind == ExtraField.Kind.CHOICE:
        choices = [("", "—"), *((c, c) for c in field.choices)]
        return forms.ChoiceField(choices=choices, **common)
    if field.kind == ExtraField.Kind.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if field.kind == ExtraField.Kind.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), **common)


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, user: Any, group: CustomerGroup | None = None, **kwargs: Any):
        if group is not None and group.pk is not None:
            kwargs.setdefault(
                "initial",
                {"name": group.name, "site": group.site, "description": group.description},
            )
        super().__init__(*args, **kwargs)
        _drop_site_unless_enabled(self, user, group.site_id if group is not None else None)

    def changes(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ExtraFieldForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Type"), choices=ExtraField.Kind.choices)
    group = forms.ModelChoiceField(
        label=_("Customer group"),
        queryset=CustomerGroup.objects.none(),
        required=False,
        help_text=_("Empty: the field applies to every customer."),
    )
    choices = forms.CharField(
        label=_("Choices"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("For a choice field: one choice per line."),
    )
    is_required = forms.BooleanField(label=_("Required"), required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, initial=0)

    def __init__(self, *args: Any, user: Any, field: ExtraField | None = None, **kwargs: Any):
        if field is not None and field.pk is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": field.name,
                    "kind": field.kind,
                    "group": field.group,
                    "choices": "\n".join(field.choices),
                    "is_required": field.is_required,
                    "position": field.position,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = _choices(  # type: ignore[attr-defined]
            CustomerGroup.objects.all(), user, field.group_id if field is not None else None
        )

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]

    def changes(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
