"""Domain errors of the network app (the UI and API turn them into messages)."""

from __future__ import annotations

from lastmile.core.errors import DomainError


class NetworkError(DomainError):
    """Base class; ``str(exc)`` is a message fit for staff."""

    status = 409


class AddressInUse(NetworkError):
    pass


class AddressOutsidePool(NetworkError):
    pass


class PoolExhausted(NetworkError):
    pass


class InvalidBinding(NetworkError):
    """An IPoE binding value does not fit (no MAC and no port, a malformed MAC…)."""

    status = 422


class BindingConflict(NetworkError):
    """The MAC or the switch port is bound already (to this or another customer)."""

    status = 409


class BindingNotAllowed(NetworkError):
    """The acting staff member may not make this binding change."""

    status = 403
