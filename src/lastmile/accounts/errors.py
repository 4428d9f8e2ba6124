"""Domain errors of the accounts app (the UI and API turn them into messages)."""

from __future__ import annotations


class AccountsError(Exception):
    """Base class: ``str(error)`` is a message fit for the user."""


class LoginThrottled(AccountsError):
    def __init__(self, retry_after_s: int) -> None:
        minutes = max(1, (retry_after_s + 59) // 60)
        super().__init__(
            f"Too many failed logins. Try again in {minutes} min or ask an administrator."
        )
        self.retry_after_s = retry_after_s


class TokenNotFound(AccountsError):
    pass
