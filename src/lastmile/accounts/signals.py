"""Audit receivers: Django's auth signals are the one place all logins pass."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from lastmile.accounts.models import AuthEvent, StaffSession
from lastmile.accounts.services import record_auth_event, record_staff_session


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_auth_event(
        kind=AuthEvent.Kind.LOGIN, username=user.get_username(), user=user, request=request
    )
    if request is not None and hasattr(request, "session"):
        record_staff_session(request=request, user=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_auth_event(
            kind=AuthEvent.Kind.LOGOUT, username=user.get_username(), user=user, request=request
        )
        key = getattr(getattr(request, "session", None), "session_key", None)
        if key:
            StaffSession.objects.filter(session_key=key).delete()


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    record_auth_event(
        kind=AuthEvent.Kind.LOGIN_FAILED,
        username=str(credentials.get("username", "")),
        request=request,
    )
