"""Forms of the cabinet pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lastmile.finance.forms import MoneyField
from lastmile.notifications.models import SUBSCRIBER_CHANNELS, Language


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
