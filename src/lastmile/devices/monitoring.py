"""Monitoring: polls, flap damping, status history and notifications.

A poll (or an external monitor) reports what it saw; ``observe`` counts
it.  A new status counts only after ``devices_flap_polls`` observations in
a row saw it and it held ``devices_flap_seconds``; then one
``StatusChange`` row is written and the staff responsible for the device
(those holding the ``notify`` permission on it) get one notification per
change through the outbox (``alerts``).  An external monitor's word counts
at once: it has damping of its own.  Uplink link states are damped the same
way in ``local_state.store_port_states``, which staff reads use too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lastmile.devices import alerts
from lastmile.devices.alerts import NOTIFY_ACTION, responsible_staff
from lastmile.devices.models import Device, Status, StatusChange
from lastmile.devices.services import driver_for, run_async, store_port_states, target_for
from lastmile.drivers import base

log = structlog.get_logger(__name__)

__all__ = [
    "NOTIFY_ACTION", "Observation", "find_device", "observe", "poll_devices", "responsible_staff",
]  # fmt: skip


@dataclass(frozen=True)
class Observation:
    device_id: int
    is_up: bool
    detail: str = ""
    ports: tuple[base.PortState, ...] = ()


def observe(
    device: Device,
    *,
    is_up: bool,
    at: datetime | None = None,
    source: str = "poll",
    detail: str = "",
) -> StatusChange | None:
    """Count one observation; the ``StatusChange`` when it changed the status."""
    at = at or timezone.now()
    conf = settings.LASTMILE
    seen = Status.UP if is_up else Status.DOWN
    with transaction.atomic():
        row = Device.objects.select_for_update().get(pk=device.pk)
        row.polled_at = at
        fields = ["polled_at", "pending_status", "pending_since", "pending_count"]
        change = None
        if seen == row.status:
            row.pending_status, row.pending_since, row.pending_count = "", None, 0
        else:
            if row.pending_status != seen or row.pending_since is None:
                row.pending_status, row.pending_since, row.pending_count = seen, at, 0
            row.pending_count += 1
            held_s = (at - row.pending_since).total_seconds()
            immediate = source != StatusChange.Source.POLL
            if immediate or (
                row.pending_count >= conf.devices_flap_polls and held_s >= conf.devices_flap_seconds
            ):
                change = StatusChange.objects.create(
                    device=row,
                    status=seen,
                    previous=row.status,
                    at=at,
                    source=source,
                    detail=detail[:500],
                )
                row.status, row.status_changed_at = seen, at
                row.pending_status, row.pending_since, row.pending_count = "", None, 0
                fields += ["status", "status_changed_at"]
        row.save(update_fields=fields)
        if change is not None:
            alerts.notify_status_change(row, change)
            log.info("device.status", device_id=row.pk, status=seen, previous=change.previous)
    device.status, device.status_changed_at = row.status, row.status_changed_at
    return change


# Polling ---------------------------------------------------------------------------


def poll_devices(devices: Iterable[Device] | None = None) -> dict[str, int]:
    """Poll every monitored device with a driver and an IP (the drivers'
    ``poll_many``: bounded concurrency, per agent too); count what it saw.
    Devices without a type are skipped (their status stays as it is)."""
    from lastmile.drivers.poller import poll_many

    conf = settings.LASTMILE
    if devices is None:
        devices = Device.objects.filter(is_monitored=True, ip__isnull=False).order_by("pk")
    by_key: dict[str, Device] = {}
    targets: list[tuple[str, base.Target]] = []
    for device in devices:
        if driver_for(device) is None or not device.ip:
            continue
        by_key[str(device.pk)] = device
        targets.append((str(device.pk), target_for(device, timeout_s=conf.devices_poll_timeout_s)))
    counts = {"polled": len(targets), "up": 0, "down": 0, "changes": 0}
    if not targets:
        return counts
    answers = run_async(poll_many(targets, concurrency=conf.devices_poll_concurrency))
    now = timezone.now()
    for key, answer in answers.items():
        device = by_key[key]
        counts["up" if answer.is_up else "down"] += 1
        if observe(device, is_up=answer.is_up, at=now, detail=answer.error) is not None:
            counts["changes"] += 1
        if answer.is_up and answer.ports:
            stored = store_port_states(device, list(answer.ports), at=now)
            counts["link_changes"] = counts.get("link_changes", 0) + len(stored.changes)
    log.info("devices.polled", **counts)
    return counts


def find_device(ident: str) -> Device | None:
    """A device by its name or management IP (for external monitors)."""
    ident = (ident or "").strip()
    if not ident:
        return None
    device = Device.objects.filter(name=ident).first()
    if device is None:
        import ipaddress

        try:
            ipaddress.ip_address(ident)
        except ValueError:
            return None
        device = Device.objects.filter(ip=ident).first()
    return device
