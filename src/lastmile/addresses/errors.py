"""Domain errors of the address registry; ``str(error)`` is a message for the user."""

from __future__ import annotations

from lastmile.core.errors import DomainError


class AddressError(DomainError):
    """Base class; ``field`` names the form field the error is about."""


class InvalidAddress(AddressError):
    """A value or a place in the tree the registry refuses."""


class AddressTaken(AddressError):
    """A FIAS/GAR id another object already has."""

    status = 409
