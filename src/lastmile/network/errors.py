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
