"""The staff second factor, on django-otp: a TOTP app, and recovery codes
(django-otp's static device).

Who must use it: members of the groups (roles) in LASTMILE_SECOND_FACTOR_GROUPS,
and superusers when LASTMILE_SECOND_FACTOR_SUPERUSERS is on.  After the
password, such a session is "unverified": every staff page and the admin
site send it to set up a device (the first time) or to enter a code; API
calls made with it answer 403.  Staff API tokens are a credential of their
own and are not asked for a code (making one needs a verified session).
Wrong codes are throttled by django-otp (an exponentially growing wait).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lastmile.accounts.models import User
from lastmile.core.problem import problem_response

RECOVERY_CODES = 10
_TOTP_NAME = "authenticator app"
_RECOVERY_NAME = "recovery codes"
# Paths an unverified session may still use (besides the second-factor pages).
_OPEN_PREFIXES = ("/static/", "/i18n/", "/cabinet/", "/api/v1/me", "/healthz", "/logout/")


def is_required(user: Any) -> bool:
    """Whether this staff member must log in with a second factor."""
    conf = settings.LASTMILE
    if user.is_superuser and conf.second_factor_superusers:
        return True
    groups = conf.second_factor_groups
    return bool(groups) and user.groups.filter(name__in=groups).exists()


def has_device(user: User) -> bool:
    """Whether the user has set up a TOTP app."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def pending_device(user: User) -> TOTPDevice:
    """The TOTP device being set up (unconfirmed), made on first call."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_TOTP_NAME, confirmed=False)
    return device


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an SVG data URI, for the setup page."""
    return str(segno.make(device.config_url).svg_data_uri(scale=4))


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, for typing into an app that cannot scan."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def confirm_device(*, request: HttpRequest, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm a new TOTP app with a code from it; on success the session is
    verified, any older app is removed, and fresh recovery codes are returned
    (shown once).  None: the code is wrong (or throttled)."""
    with transaction.atomic():
        if not device.verify_token(token.strip()):
            return None
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(device.user)
    otp_login(request, device)
    return codes


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones (each works once)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=_RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(*, request: HttpRequest, token: str) -> Device | None:
    """Check a code from the app, or a recovery code (used up), for the
    logged-in user; on success the session is verified."""
    device = match_token(request.user, token.strip().replace(" ", ""))
    if device is not None:
        otp_login(request, device)
    return device


class SecondFactorMiddleware:
    """Send a session that still owes its second factor to the code page (or the
    set-up page), and refuse API calls made with it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and not self._is_open(request.path_info)
            and is_required(user)
        ):
            return self._refuse(request, user)  # type: ignore[arg-type]
        return self.get_response(request)

    @staticmethod
    def _is_open(path: str) -> bool:
        own = (reverse("accounts:otp_verify"), reverse("accounts:otp_setup"))
        return path in own or path.startswith(_OPEN_PREFIXES)

    @staticmethod
    def _refuse(request: HttpRequest, user: User) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            return problem_response(
                request, 403, "This session needs its second factor: enter a code in the web UI."
            )
        page = "accounts:otp_verify" if has_device(user) else "accounts:otp_setup"
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(page)}?{query}")
