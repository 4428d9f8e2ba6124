"""Domain errors of the accounts app (the UI and API turn them into messages)."""

from __future__ import annotations


class AccountsError(Exception):
    """Base class: ``str(error)`` is a message fit for the user."""


class TokenNotFound(AccountsError):
    pass


class InvalidScope(AccountsError):
    """Unknown token scopes, or wider than the creating token's."""


class SessionNotFound(AccountsError):
    pass
