"""Domain errors of the customers app.

``str(error)`` is a message fit for the user (translated when raised); the UI
shows it next to the form, the API returns it as problem details.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from lastmile.core.errors import DomainError


class CustomersError(DomainError):
    """Base class of every customers error."""

    status = 422


class InvalidValue(CustomersError):
    """A value does not fit (bad login, bad e-mail, weak password…)."""

    status = 422


class AlreadyExists(CustomersError):
    """A unique value (login, contract number, group name…) is taken."""

    status = 409


class NotAllowed(CustomersError):
    """The acting staff member may not save the object with these values."""

    status = 403

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("You are not allowed to save this object with these values."))


class InvalidExtraValue(InvalidValue):
    """An extra field value does not match the field's type."""

    def __init__(self, message: str, *, field_id: int) -> None:
        super().__init__(message, field=f"extra_{field_id}")
        self.field_id = field_id


class ExtraFieldNotApplicable(InvalidValue):
    """The extra field belongs to another customer group."""
