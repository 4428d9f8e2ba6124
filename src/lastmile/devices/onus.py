"""ONUs stored: what each OLT reports, refreshed by a poll (``refresh_onus``,
the ``devices.refresh_onus`` job and the ONU list on the OLT page), and the
previews of an ONU template's commands."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import structlog
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.devices.errors import DeviceOperationError, InvalidDeviceData
from lastmile.devices.models import Device, Onu, OnuTemplate
from lastmile.devices.targets import driver_for
from lastmile.drivers import base

log = structlog.get_logger(__name__)


def _dbm(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def store_onus(olt: Device, onus: list[base.Onu]) -> list[Onu]:
    """Create or refresh a row per reported ONU; rows the OLT no longer lists
    stay, marked not present (their binding link is kept)."""
    now = timezone.now()
    existing = {(o.fiber, o.number): o for o in olt.onu_rows.all()}
    seen: set[tuple[str, int]] = set()
    out = []
    with transaction.atomic():
        for reported in onus:
            if reported.number is None:
                continue  # unregistered: no position yet
            key = (reported.fiber, reported.number)
            seen.add(key)
            row = existing.get(key) or Onu(olt=olt, fiber=reported.fiber, number=reported.number)
            row.serial = reported.serial or row.serial
            row.mac = reported.mac or row.mac
            row.name = reported.name
            row.description = reported.description
            row.model = reported.model or row.model
            row.state = reported.status
            row.rx_dbm = _dbm(reported.rx_dbm)
            row.tx_dbm = _dbm(reported.tx_dbm)
            row.olt_rx_dbm = _dbm(reported.olt_rx_dbm)
            row.vlans = list(reported.vlans) or row.vlans
            row.is_present = True
            row.last_seen_at = now
            row.save()
            out.append(row)
        gone = [pk for key, row in existing.items() if key not in seen and (pk := row.pk)]
        Onu.objects.filter(pk__in=gone, is_present=True).update(is_present=False)
    return out


def refresh_onus(olt: Device, *, actor: Any = None) -> list[Onu]:
    """Read the OLT's ONUs (``run_operation``: permission, log) and store them."""
    from lastmile.devices.services import run_operation

    answer = run_operation(actor=actor, device=olt, operation="onus")
    return store_onus(olt, list(answer))


def refresh_all_onus() -> dict[str, int]:
    """Every monitored OLT that is up; a failing OLT is logged and skipped."""
    counts = {"olts": 0, "onus": 0, "failed": 0}
    for olt in Device.objects.filter(is_monitored=True, ip__isnull=False).exclude(status="down"):
        driver = driver_for(olt)
        if driver is None or not driver.is_olt:
            continue
        counts["olts"] += 1
        try:
            counts["onus"] += len(refresh_onus(olt))
        except DeviceOperationError:
            counts["failed"] += 1
    log.info("devices.onus_refreshed", **counts)
    return counts


def template_commands(template: OnuTemplate, onu: Onu | None = None, **given: Any) -> list[str]:
    """The commands registering ``onu`` (or the position in ``given``) from
    ``template`` would send, without contacting the OLT."""
    from lastmile.devices.targets import target_for

    olt = onu.olt if onu is not None else given.get("olt")
    if olt is None:
        raise InvalidDeviceData(_("Choose an ONU to preview the commands for."))
    driver = driver_for(olt)
    preview = getattr(driver, "registration_commands", None)
    if preview is None:
        raise InvalidDeviceData(
            _("%(device)s: its type has no ONU configuration templates.") % {"device": olt.name}
        )
    params: dict[str, Any] = {"vlan": template.vlan, "name": onu.name if onu else ""}
    if template.onu_type:
        params["onu_type"] = template.onu_type
    try:
        return list(
            preview(
                target_for(olt),
                fiber=onu.fiber if onu else given.get("fiber", ""),
                number=onu.number if onu else given.get("number", 1),
                serial=onu.serial if onu else given.get("serial", ""),
                template=template.driver_template,
                params=params,
            )
        )
    except base.DriverError as exc:
        raise InvalidDeviceData(str(exc)) from exc


def validate_template(template: OnuTemplate) -> None:
    """The driver knows the template name; its VLAN and ONU type fit."""
    if template.vlan is not None and not 1 <= template.vlan <= 4094:
        raise InvalidDeviceData(_("A VLAN ID is a number from 1 to 4094."), field="vlan")
    if not template.driver:
        return
    try:
        driver = base.get(template.driver)
    except base.Unsupported:
        raise InvalidDeviceData(
            _("Unknown OLT type %(name)s.") % {"name": repr(template.driver)}, field="driver"
        ) from None
    names = getattr(driver, "template_names", None)
    if names is None:
        raise InvalidDeviceData(
            _("%(type)s has no ONU configuration templates.") % {"type": driver.title},
            field="driver",
        )
    if template.driver_template and template.driver_template not in names():
        raise InvalidDeviceData(
            _("%(type)s has no template %(name)s; it has: %(names)s.")
            % {
                "type": driver.title,
                "name": repr(template.driver_template),
                "names": ", ".join(names()),
            },
            field="driver_template",
        )


def save_template(*, actor: Any, template: OnuTemplate) -> OnuTemplate:
    from django.db import IntegrityError

    validate_template(template)
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as exc:
        raise InvalidDeviceData(
            _("A template with this name already exists."), field="name"
        ) from exc
    log.info(
        "devices.onu_template_saved", template_id=template.pk, actor_id=getattr(actor, "pk", None)
    )
    return template
