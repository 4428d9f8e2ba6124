from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from lastmile.accounts.errors import LoginThrottled
from lastmile.accounts.models import AuthEvent, Site
from lastmile.accounts.services import check_login_allowed, client_ip, record_auth_event


class StaffLoginForm(AuthenticationForm):
    """Django's login form, refusing to even check a password while throttled."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Wrong username or password. Check the keyboard layout and Caps Lock, then try again."
        ),
        "throttled": _(
            "Too many failed logins. Try again in %(minutes)s min or ask an administrator."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if username and self.request is not None:
            try:
                check_login_allowed(username=username, ip_address=client_ip(self.request))
            except LoginThrottled as exc:
                record_auth_event(
                    kind=AuthEvent.Kind.THROTTLED, username=username, request=self.request
                )
                raise forms.ValidationError(
                    self.error_messages["throttled"],
                    code="throttled",
                    params={"minutes": max(1, (exc.retry_after_s + 59) // 60)},
                ) from exc
        return super().clean()


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


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ["name", "slug", "address", "description"]
