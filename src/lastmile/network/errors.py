"""Domain errors of the network app (the UI and API turn them into messages)."""

from __future__ import annotations


class NetworkError(Exception):
    """Base class; ``str(exc)`` is a message fit for staff."""


class AddressInUse(NetworkError):
    pass


class AddressOutsidePool(NetworkError):
    pass


class PoolExhausted(NetworkError):
    pass


class LeaseAlreadyEnded(NetworkError):
    pass


class InvalidBinding(NetworkError):
    """An IPoE binding value does not fit (no MAC and no port, a malformed MAC…)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class BindingConflict(NetworkError):
    """The MAC or the switch port is bound already (to this or another customer)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class BindingNotAllowed(NetworkError):
    """The acting staff member may not make this binding change."""
