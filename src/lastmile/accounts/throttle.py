"""Login throttling for every login: staff (/login/), the admin site, the
subscriber cabinet and cabinet API tokens.  django-axes keeps the counters.

Failures are counted per account and per source address, in one window
(LASTMILE_LOGIN_LOCKOUT_S):

- an account is locked after LASTMILE_LOGIN_MAX_FAILURES failures; a
  successful login forgets that account's failures;
- an address is locked after LASTMILE_LOGIN_MAX_FAILURES_PER_ADDRESS
  failures on any accounts (subscribers behind one CGNAT address share it,
  hence a higher limit).

Staff accounts are keyed by their username; a subscriber by the customer the
typed login or contract number resolves to (``customer:<id>``), so each
identifier of a customer draws on the same counter.  Staff usernames cannot
contain ":", so the two kinds never collide.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q, Sum
from django.utils import timezone

from lastmile.accounts.services import client_ip


def account_key(request: Any, credentials: dict[str, Any] | None) -> str:
    """The counter key of a login attempt (AXES_USERNAME_CALLABLE)."""
    if credentials is not None:
        typed = credentials.get("username")
    else:
        typed = getattr(request, "POST", {}).get("username")
    return str(typed or "").strip().lower()[:150]


def failure_limit(request: Any, credentials: dict[str, Any] | None) -> int:
    """AXES_FAILURE_LIMIT, read at each attempt so the configuration can change."""
    return int(settings.LASTMILE.login_max_failures)


def cool_off(request: Any = None) -> timedelta:
    """AXES_COOLOFF_TIME: the throttle window."""
    return timedelta(seconds=settings.LASTMILE.login_lockout_s)


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate limit for addresses, and a success
    that forgets only its own account's failures (never the address's: an
    attacker's own good login must not reset the count of their guesses)."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # Axes compares one number with one limit (the per-account limit), so
        # the address count is scaled: it reaches the limit at exactly
        # LASTMILE_LOGIN_MAX_FAILURES_PER_ADDRESS failures.
        by_account, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        conf = settings.LASTMILE
        per_address = max(conf.login_max_failures_per_address, 1)
        return max(by_account, by_address * conf.login_max_failures // per_address)

    def reset_user_attempts(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        count, _ = AccessAttempt.objects.filter(username=account_key(request, credentials)).delete()
        return int(count)


def is_allowed(request: Any, key: str) -> bool:
    """May this request try to log in to the account ``key`` now?"""
    return bool(AxesProxyHandler.is_allowed(request, {"username": key}))


def retry_after_s(request: Any, key: str) -> int:
    """Seconds until the newest failure counting against ``key`` or the address
    leaves the window (an upper bound: either count may be the one that locks)."""
    counted = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off()).filter(
        Q(username=account_key(request, {"username": key})) | Q(ip_address=client_ip(request))
    )
    last = counted.aggregate(t=Max("attempt_time"))["t"]
    if last is None:
        return 1
    return max(int((last + cool_off() - timezone.now()).total_seconds()), 1)


def record_failure(request: Any, key: str) -> None:
    """Count a failed login that did not go through ``django.contrib.auth`` (the cabinet)."""
    AxesProxyHandler.user_login_failed(
        sender=__name__, credentials={"username": key}, request=request
    )
    # The cabinet answers a lock-out itself (a form error, a 429 problem).
    request.axes_locked_out = False


def record_success(request: Any, key: str) -> None:
    """Forget the failures of account ``key`` after a successful cabinet login."""
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.get_implementation().reset_user_attempts(request, {"username": key})
