"""Use cases of the devices app.  Every command to a device goes through
``run_operation``: its own permission, the driver call with a timeout, the
advisory lock for CLI sessions, the action log row (whatever happened), and
the local rows updated only after the device agreed.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Mapping
from typing import Any

import structlog
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.devices import locks
from lastmile.devices.action_log import jsonable, log_action
from lastmile.devices.errors import DeviceBusy, DeviceOperationError, OperationDenied
from lastmile.devices.inventory import (
    add_port,
    attach_binding,
    check_driver_name,
    delete_device,
    link_ports,
    neighbours,
    option82_keys,
    save_device,
    set_port_settings,
)
from lastmile.devices.local_state import store_onu_vlans, store_port_states, store_vlans
from lastmile.devices.models import Device, DeviceAction, Outcome, PortVlan
from lastmile.devices.operations import OPERATIONS, Operation
from lastmile.devices.targets import (
    driver_choices,
    driver_for,
    run_async,
    target_for,
    validate_extra,
)
from lastmile.drivers import base

__all__ = [  # the app's use cases, wherever they live
    "add_port",
    "attach_binding",
    "check_driver_name",
    "delete_device",
    "driver_choices",
    "driver_for",
    "jsonable",
    "link_ports",
    "neighbours",
    "option82_keys",
    "run_async",
    "run_operation",
    "save_device",
    "set_port_settings",
    "store_port_states",
    "store_vlans",
    "target_for",
    "validate_extra",
]  # fmt: skip

log = structlog.get_logger(__name__)

_GPON_SERIAL = re.compile(r"^[A-Za-z]{4}[0-9A-Fa-f]{8}$")
_MAC = re.compile(r"^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(\1[0-9a-f]{2}){4}$", re.I)


# Input checks (before anything is sent) ----------------------------------------------


def check_vlan_id(value: Any) -> int:
    try:
        vid = int(value)
    except (TypeError, ValueError):
        vid = 0
    if not 1 <= vid <= 4094:
        raise base.BadInput(_("A VLAN ID is a number from 1 to 4094, not %(v)s.") % {"v": value})
    return vid


def check_onu_serial(value: Any) -> str:
    serial = str(value or "").strip()
    if _GPON_SERIAL.match(serial):
        return serial.upper()
    if _MAC.match(serial):
        return serial.lower()
    raise base.BadInput(
        _(
            "%(v)s is not an ONU serial: 4 letters and 8 hex digits (ZTEGC0FFEE01), "
            "or an EPON MAC address."
        )
        % {"v": serial or "''"}
    )


def _check_params(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """Normalised parameters; ``BadInput`` before any packet leaves."""
    out = dict(params)
    if operation == "set_port_vlans":
        out["untagged"] = (
            None if out.get("untagged") in (None, "") else check_vlan_id(out["untagged"])
        )
        out["tagged"] = frozenset(check_vlan_id(v) for v in out.get("tagged") or ())
    if operation in ("create_vlan", "delete_vlan"):
        out["vid"] = check_vlan_id(out.get("vid"))
    if operation == "create_vlan":
        out["name"] = str(out.get("name") or "").strip()
    if operation in ("add_onu_vlan", "remove_onu_vlan"):
        out["vlan"] = check_vlan_id(out.get("vlan"))
        out["fiber"] = str(out.get("fiber") or "").strip()
        if not out["fiber"]:
            raise base.BadInput(_("Choose the ONU's fiber."))
        if "number" not in out:
            raise base.BadInput(_("Choose the ONU."))
    if operation in ("register_onu", "find_onu"):
        out["serial"] = check_onu_serial(out.get("serial"))
    if operation in ("set_port_admin", "set_port_vlans") or "port" in out:
        try:
            out["port"] = int(out["port"])
        except (KeyError, TypeError, ValueError):
            raise base.BadInput(_("Choose a port.")) from None
    if "number" in out:
        try:
            out["number"] = int(out["number"])
        except (TypeError, ValueError):
            raise base.BadInput(_("An ONU number is a whole number.")) from None
    if operation == "set_onu_name":
        out["name"] = str(out.get("name", "")).strip()
        if not out["name"] or len(out["name"]) > 64 or not out["name"].isprintable():
            raise base.BadInput(_("An ONU name is 1 to 64 printable characters."))
    return out


# The one way to run an operation --------------------------------------------------------


def may(user: Any, device: Device, action: str) -> bool:
    """Whether ``user`` may ``action`` on ``device``; ``None`` is the system (jobs)."""
    if user is None:
        return True
    return Device.objects.restrict(user, action).filter(pk=device.pk).exists()


def run_operation(
    *, actor: Any, device: Device, operation: str, params: Mapping[str, Any] | None = None
) -> Any:
    """Run a driver operation on ``device`` for ``actor`` and return its answer.

    Raises ``DeviceOperationError`` (or a subclass) with a message for staff
    on any failure; the action log gets a row either way.
    """
    op = OPERATIONS[operation]
    started = timezone.now()
    clock = time.monotonic()
    raw_params = dict(params or {})

    def record(outcome: str, *, result: Any = None, error: str = "") -> DeviceAction:
        return log_action(
            device=device,
            actor=actor,
            operation=operation,
            parameters=raw_params,
            outcome=outcome,
            result=result,
            error=error,
            started_at=started,
            duration_ms=int((time.monotonic() - clock) * 1000),
        )

    if not may(actor, device, op.action):
        row = record(Outcome.DENIED, error="no permission: " + op.action)
        raise OperationDenied(
            _("You are not allowed to %(what)s on %(device)s.")
            % {"what": op.title, "device": device.name},
            action_id=row.pk,
        )
    try:
        clean = _check_params(operation, raw_params)
        driver = _require_driver(device)
        answer = _call(driver, device, op, clean)
        _apply_locally(device, operation, clean, answer)
    except base.DriverError as exc:
        outcome, message = _describe(exc, device)
        row = record(outcome, error=str(exc))
        log.info(
            "device.operation_failed",
            device_id=device.pk,
            operation=operation,
            outcome=outcome,
            **_who(actor),
        )
        error_cls = DeviceBusy if outcome == Outcome.BUSY else DeviceOperationError
        failure = error_cls(message, action_id=row.pk)
        failure.outcome = outcome
        raise failure from exc
    record(Outcome.OK, result=jsonable(answer))
    log.info("device.operation", device_id=device.pk, operation=operation, **_who(actor))
    return answer


class _Busy(base.DriverError):
    pass


def _require_driver(device: Device) -> base.Driver:
    driver = driver_for(device)
    if driver is None:
        raise base.Unsupported(
            _("%(device)s has no device type: choose one on its edit page first.")
            % {"device": device.name}
        )
    if not device.ip:
        raise base.BadInput(_("%(device)s has no management IP.") % {"device": device.name})
    return driver


def _call(driver: base.Driver, device: Device, op: Operation, params: dict[str, Any]) -> Any:
    conf = settings.LASTMILE
    timeout_s = conf.devices_operation_timeout_s
    target = target_for(device, timeout_s=min(timeout_s, max(conf.devices_poll_timeout_s, 2.0)))
    method = getattr(driver, op.name, None)
    if method is None:  # an operation only some drivers have (ZTE: onu_vlans)
        raise base.Unsupported(
            _("%(type)s: %(what)s is not supported by this device type")
            % {"type": driver.title or driver.name, "what": op.title}
        )
    if op.name == "set_port_admin":
        params = {**params, "up": bool(params.get("up"))}

    async def bounded() -> Any:
        try:
            return await asyncio.wait_for(method(target, **params), timeout=timeout_s)
        except TimeoutError:
            raise base.DeviceUnreachable(
                _("no answer within %(s)s s") % {"s": f"{timeout_s:g}"}
            ) from None

    if not op.is_cli:
        return run_async(bounded())
    try:
        with locks.cli_session(device.pk, timeout_s=conf.devices_cli_lock_timeout_s):
            return run_async(bounded())
    except locks.LockTimeout:
        raise _Busy(
            _("another CLI session to this device is still running; try again later")
        ) from None


def _describe(exc: base.DriverError, device: Device) -> tuple[str, str]:
    name = device.name
    if isinstance(exc, _Busy):
        return Outcome.BUSY, _("%(device)s is busy: %(detail)s") % {"device": name, "detail": exc}
    if isinstance(exc, base.DeviceUnreachable):
        return Outcome.UNREACHABLE, _(
            "%(device)s did not answer (%(detail)s). Check that it is on, its address and "
            "its SNMP community or CLI login."
        ) % {"device": name, "detail": exc}
    if isinstance(exc, base.Unsupported):
        return Outcome.UNSUPPORTED, str(exc)
    if isinstance(exc, base.BadInput):
        return Outcome.BAD_INPUT, str(exc)
    return Outcome.ERROR, _("%(device)s answered with an error: %(detail)s") % {
        "device": name,
        "detail": exc,
    }


def _who(actor: Any) -> dict[str, Any]:
    return {"actor_id": getattr(actor, "pk", None)}


# What the device said, kept locally ----------------------------------------------------


#: Operations whose answer is every VLAN of one ONU (``fiber``, ``number``).
ONU_VLAN_OPERATIONS = frozenset({"onu_vlans", "add_onu_vlan", "remove_onu_vlan"})


def _apply_locally(device: Device, operation: str, params: dict[str, Any], answer: Any) -> None:
    if operation == "ports":
        store_port_states(device, answer)
    elif operation == "set_port_admin" and isinstance(answer, base.PortState):
        store_port_states(device, [answer])
    elif operation in ("vlans", "set_port_vlans") and isinstance(answer, list):
        only = {params["port"]} if operation == "set_port_vlans" else None
        store_vlans(device, answer, only_ports=only)
    elif operation == "delete_vlan":
        # The ports left the VLAN on the device: they leave it in the inventory too.
        PortVlan.objects.filter(port__device=device, vid=params["vid"]).delete()
    elif operation in ONU_VLAN_OPERATIONS and isinstance(answer, tuple | list):
        store_onu_vlans(device, fiber=params["fiber"], number=params["number"], vlans=answer)
