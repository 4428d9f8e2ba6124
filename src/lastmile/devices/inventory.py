"""Inventory writes of the devices app (no device involved): devices, ports,
links, a port's mode and role, and which port a customer's IPoE binding is on."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import structlog
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lastmile.devices.action_log import log_action
from lastmile.devices.address_matching import note_review, registry_match
from lastmile.devices.errors import InvalidDeviceData
from lastmile.devices.models import Device, Link, Outcome, Port, PortMode, PortRole, PortWatch
from lastmile.devices.targets import driver_choices, validate_extra
from lastmile.parties.models import ReviewReason

log = structlog.get_logger(__name__)


def _who(actor: Any) -> dict[str, Any]:
    return {"actor_id": getattr(actor, "pk", None)}


def save_device(*, actor: Any, device: Device, secrets: Mapping[str, str] | None = None) -> Device:
    """Create or change a device; extra data is validated by its driver's schema.
    A secret given as '' is kept; ``None`` values are ignored."""
    check_driver_name(device)
    device.extra = validate_extra(device.driver, device.extra)
    if device.parent_id is not None and device.parent_id == device.pk:
        raise InvalidDeviceData(_("A device cannot be its own parent."), field="parent")
    for field, clear in (secrets or {}).items():
        if clear:
            device.set_secret(field, clear)
    if device.pk and device.parent_id:
        _check_no_cycle(device)
    _check_address(device, actor)
    _check_fields(device)
    review = _auto_address(device, actor)
    try:
        with transaction.atomic():
            device.save()
            if review is not None:
                note_review(device, review)
    except IntegrityError as exc:
        raise InvalidDeviceData(_("A device with this name already exists."), field="name") from exc
    log.info("device.saved", device_id=device.pk, **_who(actor))
    return device


def delete_device(*, actor: Any, device: Device) -> None:
    """Delete a device with its ports, ONUs and status history.  Customers'
    bindings on its ports stay (with their option 82 keys), unlinked from the
    port; the action log keeps a row saying who deleted what."""
    from django.utils import timezone

    summary = {
        "name": device.name,
        "driver": device.driver,
        "ip": str(device.ip or ""),
        "ports": device.ports.count(),
    }
    with transaction.atomic():
        log_action(
            device=device,
            actor=actor,
            operation="delete_device",
            parameters={},
            outcome=Outcome.OK,
            result=summary,
            error="",
            started_at=timezone.now(),
            duration_ms=0,
        )
        device.delete()
    log.info("device.deleted", name=summary["name"], **_who(actor))


def check_driver_name(device: Device) -> None:
    """A new type must be a known driver (or ``unknown``/``generic``); a device
    whose driver has since gone keeps its type (valid data) until it is changed."""
    known = dict(driver_choices())
    if device.driver in known:
        return
    if device.pk:
        stored = Device.objects.filter(pk=device.pk).values_list("driver", flat=True).first()
        if stored == device.driver:
            return
    raise InvalidDeviceData(
        _("Unknown device type %(name)s: choose one of %(known)s.")
        % {"name": repr(device.driver), "known": ", ".join(sorted(known))},
        field="driver",
    )


def set_port_settings(
    *,
    actor: Any,
    port: Port,
    mode: str | None = None,
    role: str | None = None,
    watch: str | None = None,
) -> Port:
    """Change a port's mode (access/trunk/hybrid), role (uplink/downlink/
    customer/none) and link watch (by role/always/never) in the inventory;
    the change goes to the device action log.  ``None`` leaves a field."""
    from django.utils import timezone

    wanted = {"mode": mode, "role": role, "watch": watch}
    changes: dict[str, Any] = {
        field: _checked_choice(field, value)
        for field, value in wanted.items()
        if value is not None and value != getattr(port, field)
    }
    if not changes:
        return port
    before = {field: getattr(port, field) for field in changes}
    for field, value in changes.items():
        setattr(port, field, value)
    with transaction.atomic():
        port.save(update_fields=[*changes, "updated_at"])
        log_action(
            device=port.device,
            actor=actor,
            operation="set_port_settings",
            parameters={"port": port.number, **changes},
            outcome=Outcome.OK,
            result={"before": before},
            error="",
            started_at=timezone.now(),
            duration_ms=0,
        )
    log.info("device.port_settings", device_id=port.device_id, port=port.number, **_who(actor))
    return port


_PORT_CHOICES: dict[str, tuple[type[models.TextChoices], Any]] = {
    "mode": (PortMode, gettext_lazy("A port mode is one of: %(choices)s.")),
    "role": (PortRole, gettext_lazy("A port role is one of: %(choices)s.")),
    "watch": (PortWatch, gettext_lazy("A port's link watch is one of: %(choices)s.")),
}


def _checked_choice(field: str, value: Any) -> Any:
    """``value`` if it is one of the port ``field``'s choices, else a clear error."""
    choices, message = _PORT_CHOICES[field]
    if value not in choices.values:
        listed = ", ".join(v or "''" for v in choices.values)
        raise InvalidDeviceData(message % {"choices": listed}, field=field)
    return value


def _check_address(device: Device, actor: Any) -> None:
    """A registry address newly given to a device must be an active object the
    actor may see (a kept one stays even when since retired or hidden); the
    typed ``address`` stays as the label either way."""
    wanted = device.address_object_id
    if wanted is None:
        return
    if device.pk and Device.objects.filter(pk=device.pk, address_object_id=wanted).exists():
        return
    from lastmile.addresses.models import AddressObject

    found = AddressObject.objects.filter(pk=wanted, is_active=True)
    if actor is not None:
        found = found.restrict(actor, "view")
    if not found.exists():
        raise InvalidDeviceData(
            _("There is no active address %(id)s in the registry.") % {"id": wanted},
            field="address_object",
        )


def _auto_address(device: Device, actor: Any) -> str | None:
    """A new or changed typed address with no picked object is matched now, as
    ``lastmile match-addresses`` would: one registry object the actor may see
    is linked (returns ""); otherwise the reason for the review list.  ``None``:
    nothing to do (an object is picked, or the text did not change, so a
    deliberate "keep the text" stays)."""
    if device.address_object_id is not None or not device.address.strip():
        return None
    if device.pk:
        stored = Device.objects.filter(pk=device.pk).values_list("address", flat=True).first()
        if stored == device.address:
            return None
    found, reason = registry_match(device.address)
    if found is not None:
        from lastmile.addresses.models import AddressObject

        visible = AddressObject.objects.filter(pk=found.pk, is_active=True)
        if actor is None or visible.restrict(actor, "view").exists():
            device.address_object = found
            return ""
        return None  # not the actor's to link: the nightly matching decides
    return reason or ReviewReason.EMPTY


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
    for field in _PORT_CHOICES.keys() & fields.keys():
        _checked_choice(field, fields[field])
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


def check_binding_port(*, binding: Any, port: Port) -> None:
    """A binding's option 82 key, when it has one, must name this device and
    port, so the two can never disagree (registered with the network app)."""
    from lastmile.network.errors import InvalidBinding

    if not binding.remote_id:
        return
    switches, ports = option82_keys(port)
    if binding.port_switch not in switches or binding.port_name.lower() not in ports:
        raise InvalidBinding(
            _(
                "This binding's option 82 says switch %(switch)s port %(port)s, "
                "not %(device)s port %(number)s."
            )
            % {
                "switch": binding.port_switch,
                "port": binding.port_name,
                "device": port.device.name,
                "number": port.number,
            },
            field="device_port",
        )


def attach_binding(*, actor: Any, binding: Any, port: Port | None) -> Any:
    """Say which device port a customer's IPoE binding is on (the binding the
    RADIUS option 82 matching uses); ``check_binding_port`` must agree."""
    from lastmile.network.errors import InvalidBinding
    from lastmile.network.services import set_binding_device_port

    try:
        return set_binding_device_port(actor=actor, binding=binding, port=port)
    except InvalidBinding as exc:
        raise InvalidDeviceData(str(exc), field="device_port") from exc
