"""Forms of the cabinet pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from lastmile.cabinet.errors import PeriodInvalid
from lastmile.cabinet.models import ContactKind
from lastmile.cabinet.queries import check_statement_period
from lastmile.finance.forms import MoneyField
from lastmile.notifications.models import SUBSCRIBER_CHANNELS, Language
from lastmile.tickets.forms import MultipleFileField
from lastmile.tickets.models import TicketKind


class LoginForm(forms.Form):
    login = forms.CharField(
        label=_("Login or contract number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 8 characters; not all digits, not a common password, not like your login."
        ),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class PayForm(forms.Form):
    # The one money parser; the card gateway's own range is checked when paying.
    amount = MoneyField(label=_("Amount"))


class NotificationForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label=_("Send me notices by"),
        choices=[(c.value, c.label) for c in SUBSCRIBER_CHANNELS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    is_opted_out = forms.BooleanField(label=_("No notices at all"), required=False)
    language = forms.ChoiceField(
        label=_("Language of notices"),
        choices=[("", _("default")), *Language.choices],
        required=False,
    )


def _attachments_field() -> MultipleFileField:
    """Files for a request or a reply; the limits are the staff comments' (the
    service checks them again and says which file is refused)."""
    conf = settings.LASTMILE
    types = sorted({t.lower().lstrip(".") for t in conf.ticket_attachment_types})
    field = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_(
            "A photo or a screenshot helps: up to %(count)d files, %(size)s each (%(types)s)."
        )
        % {
            "count": conf.ticket_attachment_max_files,
            "size": filesizeformat(conf.ticket_attachment_max_bytes),
            "types": ", ".join(types),
        },
    )
    field.widget.attrs["accept"] = ",".join(f".{t}" for t in types)
    return field


class SupportRequestForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=TicketKind.objects.none(),
        required=False,
        empty_label=_("— not sure —"),
    )
    subject = forms.CharField(label=_("Subject"), max_length=150)
    message = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, since when, and how we can reach you."),
    )

    def __init__(self, *args: Any, categories: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()
        if categories is not None:
            field = self.fields["category"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = categories


class SupportReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"),
        max_length=5000,
        required=False,  # a file alone is a reply too; the service asks for one of them
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()


def _contact_kinds() -> list[tuple[str, Any]]:
    return [(ContactKind.EMAIL.value, _("e-mail")), (ContactKind.PHONE.value, _("SMS to my phone"))]


class ResetRequestForm(forms.Form):
    login = forms.CharField(
        label=_("Login or contract number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    kind = forms.ChoiceField(
        label=_("Send the code by"),
        choices=_contact_kinds,
        widget=forms.RadioSelect,
        initial=ContactKind.EMAIL.value,
    )


class ResetConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    new_password = PasswordChangeForm.base_fields["new_password"]
    new_password_again = PasswordChangeForm.base_fields["new_password_again"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Contact"),
        choices=[(ContactKind.EMAIL.value, _("e-mail")), (ContactKind.PHONE.value, _("phone"))],
    )
    value = forms.CharField(
        label=_("New e-mail or phone"),
        max_length=254,
        help_text=_("We send a code there; the contact changes when you enter it."),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


# The date picker sends ISO dates; what the pages print (local) is accepted too.
_DATE_INPUTS = ["%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y"]


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatementForm(forms.Form):
    start = forms.DateField(label=_("From"), input_formats=_DATE_INPUTS, widget=_date_widget())
    end = forms.DateField(label=_("To"), input_formats=_DATE_INPUTS, widget=_date_widget())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            try:
                check_statement_period(start, end)
            except PeriodInvalid as exc:
                self.add_error(exc.field, str(exc))
        return data
