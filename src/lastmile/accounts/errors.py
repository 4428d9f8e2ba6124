"""Domain errors of the accounts app (the UI and API turn them into messages)."""

from __future__ import annotations

from lastmile.core.errors import DomainError


class AccountsError(DomainError):
    """Base class: ``str(error)`` is a message fit for the user."""


class TokenNotFound(AccountsError):
    status = 404


class InvalidScope(AccountsError):
    """Unknown token scopes, or wider than the creating token's."""

    status = 422

    def __init__(self, message: str, *, field: str = "scopes") -> None:
        super().__init__(message, field=field)


class SessionNotFound(AccountsError):
    status = 404
