"""Domain errors of parties and contracts; ``str(error)`` is a message for the user."""

from __future__ import annotations


class PartiesError(Exception):
    """Base class; ``field`` names the form field the error is about ("" = the object)."""

    field = ""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class InvalidValue(PartiesError):
    """A value is malformed (an INN with a wrong control digit, a bad date…)."""


class AlreadyExists(PartiesError):
    """A unique value (INN, contract number) is taken."""


class DatesMismatch(PartiesError):
    """A branch's contract dates differ from its legal entity's contract."""


class NotAllowed(PartiesError):
    """The acting staff member may not do this."""
