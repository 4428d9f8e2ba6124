"""Use cases of the accounts app: API tokens and the auth audit (throttling: throttle.py)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.accounts import scopes as scopes_
from lastmile.accounts.errors import InvalidScope, SessionNotFound, TokenNotFound
from lastmile.accounts.models import ApiToken, AuthEvent, StaffSession, User

TOKEN_PREFIX = "lm"
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_token(
    *,
    user: User,
    name: str,
    expires_in_days: int | None = None,
    scopes: Iterable[str] = (scopes_.FULL,),
    created_with: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it with its secret (shown once, never stored).

    ``expires_in_days`` defaults to LASTMILE_API_TOKEN_DAYS; 0 means no expiry.
    ``scopes`` (lastmile.accounts.scopes) default to full access; a token made
    through the API with another token (``created_with``) cannot be wider.
    """
    wanted = sorted(set(scopes))
    bad = scopes_.invalid_scopes(wanted)
    if bad or not wanted:
        raise InvalidScope(_("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(bad) or "—"})
    if created_with is not None and not scopes_.covers(created_with.scopes, wanted):
        raise InvalidScope(_("A token cannot create a token with wider scopes than its own."))
    days = settings.LASTMILE.api_token_days if expires_in_days is None else expires_in_days
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "token",
        prefix=prefix,
        digest=_digest(raw),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
        scopes=wanted,
    )
    return token, raw


def revoke_api_token(*, token: ApiToken) -> ApiToken:
    """Revoke a token (idempotent: revoking twice keeps the first time)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def revoke_user_token(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s own tokens."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise TokenNotFound("No such token.")
    return revoke_api_token(token=token)


def authenticate_token(raw: str) -> ApiToken | None:
    """The usable token (its user active) with this secret, or None (unknown,
    expired, revoked).  Records the last use, to the minute."""
    if not raw.startswith(f"{TOKEN_PREFIX}_") or len(raw) > 200:
        return None
    token = ApiToken.objects.usable().select_related("user").filter(digest=_digest(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def record_auth_event(
    *, kind: str, username: str, user: User | None = None, request: Any = None
) -> AuthEvent:
    """Append one login/logout/failure row.  Runs in its own transaction so a
    failed login is recorded even when the surrounding request rolls back."""
    ip = None
    agent = ""
    if request is not None:
        ip = client_ip(request)
        agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    with transaction.atomic():
        return AuthEvent.objects.create(
            kind=kind,
            username=username.strip().lower()[:150],
            user=user,
            ip_address=ip,
            user_agent=agent,
        )


def record_staff_session(*, request: Any, user: User) -> None:
    """Remember the session a login opened (called at login, after the key cycled)."""
    key = request.session.session_key
    if not key:
        return
    StaffSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "ip_address": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "created_at": timezone.now(),
        },
    )


def live_staff_sessions(user: User) -> list[StaffSession]:
    """The user's sessions that still exist and have not expired (newest first);
    rows of ended sessions are dropped on the way."""
    rows = list(StaffSession.objects.filter(user=user))
    live = set(
        Session.objects.filter(
            session_key__in=[row.session_key for row in rows], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    StaffSession.objects.filter(user=user).exclude(session_key__in=live).delete()
    return [row for row in rows if row.session_key in live]


def end_staff_session(*, user: User, session_id: int) -> None:
    """End one of the user's own sessions (its browser is logged out at once)."""
    row = StaffSession.objects.filter(user=user, pk=session_id).first()
    if row is None:
        raise SessionNotFound("No such session.")
    Session.objects.filter(session_key=row.session_key).delete()
    row.delete()


def client_ip(request: Any) -> str | None:
    """The peer address (a reverse proxy must overwrite REMOTE_ADDR, never trust headers here)."""
    return request.META.get("REMOTE_ADDR") or None
