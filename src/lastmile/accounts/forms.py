from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from lastmile.accounts import scopes, throttle
from lastmile.accounts.models import AuthEvent, Site
from lastmile.accounts.services import record_auth_event


class ThrottledLoginMixin:
    """Refuse to even check a password while the account or the address is
    throttled (see lastmile.accounts.throttle), with a message saying so."""

    request: Any
    error_messages: dict[str, Any]
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if (
            username
            and self.request is not None
            and not throttle.is_allowed(self.request, username)
        ):
            record_auth_event(
                kind=AuthEvent.Kind.THROTTLED, username=username, request=self.request
            )
            retry_s = throttle.retry_after_s(self.request, username)
            raise forms.ValidationError(
                _("Too many failed logins. Try again in %(minutes)s min or ask an administrator."),
                code="throttled",
                params={"minutes": max(1, (retry_s + 59) // 60)},
            )
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        return cleaned


class StaffLoginForm(ThrottledLoginMixin, AuthenticationForm):
    """Django's login form, throttled."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Wrong username or password. Check the keyboard layout and Caps Lock, then try again."
        ),
    }


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin site's login form under the same throttle as /login/."""


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_("The 6 digits your authenticator app shows, or one of your recovery codes."),
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_('What the token is for, e.g. "billing export".'),
    )
    expires_in_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=0,
        max_value=3650,
        initial=90,
        help_text=_("0 means the token never expires."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=scopes.choices,
        initial=[scopes.FULL],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the token may do, within your own rights. Write includes read."),
    )


class SiteForm(forms.ModelForm[Site]):
    class Meta:
        model = Site
        fields = ["name", "slug", "address", "description"]
