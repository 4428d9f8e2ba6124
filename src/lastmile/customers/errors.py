"""Domain errors of the customers app.

``str(error)`` is a message fit for the user (translated when raised); the UI
shows it next to the form, the API returns it as problem details.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


class CustomersError(Exception):
    """Base class of every customers error."""

    #: The field of a form or API body the error is about ("" = the whole object).
    field = ""


class InvalidValue(CustomersError):
    """A value does not fit (bad login, bad e-mail, weak password…)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class AlreadyExists(CustomersError):
    """A unique value (login, contract number, group name…) is taken."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(CustomersError):
    """The acting staff member may not save the object with these values."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("You are not allowed to save this object with these values."))


class InvalidExtraValue(InvalidValue):
    """An extra field value does not match the field's type."""

    def __init__(self, message: str, *, field_id: int) -> None:
        super().__init__(message, field=f"extra_{field_id}")
        self.field_id = field_id


class ExtraFieldNotApplicable(InvalidValue):
    """The extra field belongs to another customer group."""
