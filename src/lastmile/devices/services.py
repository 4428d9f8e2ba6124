"""Use cases of the devices app.  Every command to a device goes through
``run_operation``: its own permission, the driver call with a timeout, the
advisory lock for CLI sessions, the action log row (whatever happened), and
the local rows updated only after the device agreed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import enum
import re
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import structlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile import drivers as _drivers_pkg  # noqa: F401  (the package, for the registry)
from lastmile.devices import locks
from lastmile.devices.errors import (
    DeviceBusy,
    DeviceOperationError,
    InvalidDeviceData,
    OperationDenied,
)
from lastmile.devices.models import (
    GENERIC,
    NO_DRIVER,
    Device,
    DeviceAction,
    Link,
    LinkState,
    Outcome,
    Port,
    PortVlan,
)
from lastmile.devices.operations import OPERATIONS, Operation
from lastmile.drivers import base

log = structlog.get_logger(__name__)

_GPON_SERIAL = re.compile(r"^[A-Za-z]{4}[0-9A-Fa-f]{8}$")
_MAC = re.compile(r"^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(\1[0-9a-f]{2}){4}$", re.I)


# Drivers and targets ---------------------------------------------------------------


def driver_choices() -> list[tuple[str, str]]:
    """The types a device may have: no type, generic, then every registered driver."""
    return [(NO_DRIVER, _("unknown (inventory only)")), (GENERIC, _("generic (no driver)"))] + [
        (name, title) for name, title in base.choices() if name not in (NO_DRIVER, GENERIC)
    ]


def driver_for(device: Device) -> base.Driver | None:
    """The device's driver, or None when it has no type (or the type is gone)."""
    if not device.has_driver:
        return None
    try:
        return base.get(device.driver)
    except base.Unsupported:
        return None


def validate_extra(driver_name: str, extra: Any) -> dict[str, Any]:
    """``extra`` checked by the driver's ``extra_schema`` (pydantic); the
    normalised dict, or ``InvalidDeviceData`` naming each wrong field."""
    if extra in (None, ""):
        extra = {}
    if not isinstance(extra, dict):
        raise InvalidDeviceData(_("Extra data must be a JSON object."), field="extra")
    schema = None
    if driver_name not in ("", NO_DRIVER, GENERIC):
        try:
            schema = base.get(driver_name).extra_schema
        except base.Unsupported:
            schema = None
    if schema is None:
        return extra
    from pydantic import ValidationError

    try:
        model = schema.model_validate(extra)  # type: ignore[attr-defined]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or _('value')}: {err['msg']}"
            for err in exc.errors()
        )
        raise InvalidDeviceData(
            _("Extra data does not fit this device type: %(problems)s") % {"problems": problems},
            field="extra",
        ) from exc
    return dict(model.model_dump(mode="json"))


def target_for(device: Device, *, timeout_s: float | None = None) -> base.Target:
    """What the driver needs to reach ``device`` (secrets decrypted here only)."""
    snmp = base.SnmpCredentials(
        version=device.snmp_version,
        community=device.get_secret("snmp_community") or "public",
        write_community=device.get_secret("snmp_write_community"),
        user=device.snmp_user,
        auth_protocol=device.snmp_auth_protocol,
        auth_key=device.get_secret("snmp_auth_key"),
        priv_protocol=device.snmp_priv_protocol,
        priv_key=device.get_secret("snmp_priv_key"),
        port=device.snmp_port,
    )
    cli = None
    if device.cli_username or device.has_secret("cli_password"):
        cli = base.CliCredentials(
            username=device.cli_username,
            password=device.get_secret("cli_password"),
            enable_password=device.get_secret("cli_enable_password"),
            port=device.cli_port,
        )
    return base.Target(
        host=str(device.ip or ""),
        snmp=snmp,
        cli=cli,
        timeout_s=timeout_s or settings.LASTMILE.devices_poll_timeout_s,
        extra=dict(device.extra or {}),
        driver=device.driver,
    )


def run_async(coro: Any) -> Any:
    """Run a driver coroutine from synchronous code through the drivers'
    ``sync.run`` (a fresh loop, its SNMP engine closed after); from inside a
    running loop (an async caller), on a thread of its own."""
    from lastmile.drivers import sync

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return sync.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(sync.run, coro).result()


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
        return _log_action(
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


def _log_action(
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


def _who(actor: Any) -> dict[str, Any]:
    return {"actor_id": getattr(actor, "pk", None)}


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


# What the device said, kept locally ----------------------------------------------------


def _apply_locally(device: Device, operation: str, params: dict[str, Any], answer: Any) -> None:
    if operation == "ports":
        store_port_states(device, answer)
    elif operation == "set_port_admin" and isinstance(answer, base.PortState):
        store_port_states(device, [answer], prune=False)
    elif operation in ("vlans", "set_port_vlans") and isinstance(answer, list):
        only = {params["port"]} if operation == "set_port_vlans" else None
        store_vlans(device, answer, only_ports=only)


def store_port_states(
    device: Device, states: list[base.PortState], *, prune: bool = False
) -> list[Port]:
    """Create or refresh the ports the device reported; staff-added ports stay."""
    now = timezone.now()
    by_number = {p.number: p for p in device.ports.all()}
    out = []
    with transaction.atomic():
        for state in states:
            port = by_number.get(state.number) or Port(device=device, number=state.number)
            port.name = port.name or state.name
            port.description = port.description or state.description
            port.admin_up = state.admin_up
            port.link = LinkState(state.link.value) if state.link else LinkState.UNKNOWN
            port.speed_mbps = state.speed_mbps
            port.read_at = now
            port.save()
            out.append(port)
    return out


def store_vlans(
    device: Device, vlans: list[base.Vlan], *, only_ports: set[int] | None = None
) -> None:
    """Replace the VLAN membership of the device's ports with what it reported."""
    ports = {p.number: p for p in device.ports.all()}
    wanted: dict[int, dict[int, bool]] = {n: {} for n in ports}
    for vlan in vlans:
        for number in vlan.tagged:
            wanted.setdefault(number, {})[vlan.vid] = True
        for number in vlan.untagged:
            wanted.setdefault(number, {})[vlan.vid] = False
    with transaction.atomic():
        for number, members in wanted.items():
            if only_ports is not None and number not in only_ports:
                continue
            port = ports.get(number)
            if port is None:
                port = Port.objects.create(device=device, number=number)
            PortVlan.objects.filter(port=port).delete()
            PortVlan.objects.bulk_create(
                [PortVlan(port=port, vid=vid, is_tagged=tagged) for vid, tagged in members.items()]
            )


# Inventory writes (no device involved) -------------------------------------------------


def save_device(*, actor: Any, device: Device, secrets: Mapping[str, str] | None = None) -> Device:
    """Create or change a device; extra data is validated by its driver's schema.
    A secret given as '' is kept; ``None`` values are ignored."""
    device.extra = validate_extra(device.driver, device.extra)
    if device.parent_id is not None and device.parent_id == device.pk:
        raise InvalidDeviceData(_("A device cannot be its own parent."), field="parent")
    for field, clear in (secrets or {}).items():
        if clear:
            device.set_secret(field, clear)
    if device.pk and device.parent_id:
        _check_no_cycle(device)
    _check_fields(device)
    try:
        with transaction.atomic():
            device.save()
    except IntegrityError as exc:
        raise InvalidDeviceData(_("A device with this name already exists."), field="name") from exc
    log.info("device.saved", device_id=device.pk, **_who(actor))
    return device


def _check_fields(device: Device) -> None:
    """Every field as the model defines it (address format, choices, lengths,
    existing site/group/parent), so the API's hostile input is a clear 422."""
    try:
        device.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            field, errors = next(iter(exc.message_dict.items()))
            raise InvalidDeviceData(errors[0], field=field) from exc
        raise InvalidDeviceData(exc.messages[0]) from exc


def _check_no_cycle(device: Device) -> None:
    seen = {device.pk}
    parent_id = device.parent_id
    while parent_id is not None:
        if parent_id in seen:
            raise InvalidDeviceData(
                _("This parent would make a loop in the device tree."), field="parent"
            )
        seen.add(parent_id)
        parent_id = Device.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()


def add_port(*, actor: Any, device: Device, number: int, **fields: Any) -> Port:
    """Add a port by hand (works while the device is offline: nothing is sent)."""
    if not isinstance(number, int) or number < 1:
        raise InvalidDeviceData(_("A port number is 1 or more."), field="number")
    try:
        with transaction.atomic():
            port = Port.objects.create(device=device, number=number, **fields)
    except IntegrityError as exc:
        raise InvalidDeviceData(
            _("%(device)s already has a port %(n)s.") % {"device": device.name, "n": number},
            field="number",
        ) from exc
    log.info("device.port_added", device_id=device.pk, port=number, **_who(actor))
    return port


def link_ports(*, actor: Any, upper: Port, lower: Port, description: str = "") -> Link:
    """Record a cable: ``lower``'s device is plugged into ``upper``'s device.
    Marks the roles (downlink / uplink) and sets the lower device's parent."""
    if upper.device_id == lower.device_id:
        raise InvalidDeviceData(_("A link joins ports of two different devices."))
    lower_device = lower.device
    if lower_device.parent_id not in (None, upper.device_id):
        lower_device.parent_id = upper.device_id
    try:
        with transaction.atomic():
            link = Link.objects.create(upper=upper, lower=lower, description=description)
            Port.objects.filter(pk=upper.pk).update(role="downlink")
            Port.objects.filter(pk=lower.pk).update(role="uplink")
            lower_device.parent_id = upper.device_id
            _check_no_cycle(lower_device)
            lower_device.save(update_fields=["parent", "updated_at"])
    except IntegrityError as exc:
        raise InvalidDeviceData(_("One of these ports already has a link.")) from exc
    log.info("device.linked", link_id=link.pk, **_who(actor))
    return link


def neighbours(device: Device) -> list[tuple[Port, Port, str, int]]:
    """(own port, the other device's port, "up"/"down", link id) for each cable."""
    out: list[tuple[Port, Port, str, int]] = []
    links = Link.objects.select_related("upper__device", "lower__device").filter(
        models_q_either(device)
    )
    for link in links:
        if link.upper.device_id == device.pk:
            out.append((link.upper, link.lower, "down", link.pk))
        else:
            out.append((link.lower, link.upper, "up", link.pk))
    return sorted(out, key=lambda row: row[0].number)


def models_q_either(device: Device) -> Any:
    from django.db.models import Q

    return Q(upper__device=device) | Q(lower__device=device)


def option82_keys(port: Port) -> tuple[set[str], set[str]]:
    """The (switch, port) option-82 keys that name this port: the device's MAC
    or system name, and the port's number as the parser writes it."""
    device = port.device
    switches = {f"name:{device.name.lower()}"}
    if device.mac:
        mac = re.sub(r"[^0-9a-f]", "", device.mac.lower())
        if len(mac) == 12:
            switches.add(":".join(mac[i : i + 2] for i in range(0, 12, 2)))
    n = port.number
    ports = {str(n), f"1/{n}", f"0/{n}", f"1/0/{n}", f"0/0/{n}"}
    if port.name:
        ports.add(port.name.lower())
    return switches, ports


def attach_binding(*, actor: Any, binding: Any, port: Port | None) -> Any:
    """Say which device port a customer's IPoE binding is on (the binding the
    RADIUS option 82 matching uses).  Its option 82 key, when it has one,
    must name this device and port, so the two can never disagree."""
    from lastmile.network.services import set_binding_device_port

    if port is not None and binding.remote_id:
        switches, ports = option82_keys(port)
        if binding.port_switch not in switches or binding.port_name.lower() not in ports:
            raise InvalidDeviceData(
                _(
                    "This binding's option 82 says switch %(switch)s port %(port)s, "
                    "not %(device)s port %(number)s."
                )
                % {
                    "switch": binding.port_switch,
                    "port": binding.port_name,
                    "device": port.device.name,
                    "number": port.number,
                }
            )
    return set_binding_device_port(actor=actor, binding=binding, port=port)
