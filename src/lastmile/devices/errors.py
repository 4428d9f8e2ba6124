"""Domain errors of the devices app; ``str(exc)`` is a sentence for staff."""

from __future__ import annotations


class DeviceOperationError(Exception):
    """An operation on a device did not happen; the action log has the row."""

    outcome = "error"

    def __init__(self, message: str, *, action_id: int | None = None) -> None:
        super().__init__(message)
        self.action_id = action_id


class OperationDenied(DeviceOperationError):
    outcome = "denied"


class DeviceBusy(DeviceOperationError):
    outcome = "busy"


class InvalidDeviceData(Exception):
    """Device, port or link values that do not fit (a form error, nothing saved)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field
