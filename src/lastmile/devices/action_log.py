"""Rows of the append-only device action log, and driver answers as JSON."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from lastmile.devices.models import Device, DeviceAction


def log_action(
    *,
    device: Device,
    actor: Any,
    operation: str,
    parameters: dict[str, Any],
    outcome: str,
    result: Any,
    error: str,
    started_at: datetime,
    duration_ms: int,
) -> DeviceAction:
    """Append one row (autocommit when called outside a transaction, so a
    failure is on record even if the caller rolls back its own work)."""
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    return DeviceAction.objects.create(
        device=device,
        device_name=device.name,
        actor=actor if is_user else None,
        actor_name=actor.get_username() if is_user else str(actor or "system"),
        operation=operation,
        parameters=jsonable(parameters),
        outcome=outcome,
        result=result,
        error=error[:4000],
        started_at=started_at,
        duration_ms=duration_ms,
    )


def jsonable(value: Any) -> Any:
    """Driver answers (dataclasses, enums, frozensets) as JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
