"""Monitoring: polls, flap damping, status history and notifications.

A poll (or an external monitor) reports what it saw; ``observe`` counts
it.  A new status counts only after ``devices_flap_polls`` observations in
a row saw it and it held ``devices_flap_seconds``; then one
``StatusChange`` row is written and the staff responsible for the device
(those holding the ``notify`` permission on it) get one notification per
change through the outbox.  An external monitor's word counts at once: it
has damping of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.devices.models import (
    Device,
    LinkState,
    Port,
    PortLinkChange,
    PortRole,
    Status,
    StatusChange,
)
from lastmile.devices.services import driver_for, run_async, store_port_states, target_for
from lastmile.drivers import base

log = structlog.get_logger(__name__)

NOTIFY_ACTION = "notify"


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
            _notify(row, change)
            log.info("device.status", device_id=row.pk, status=seen, previous=change.previous)
    device.status, device.status_changed_at = row.status, row.status_changed_at
    return change


def responsible_staff(device: Device) -> list[Any]:
    """Active staff whose ``notify`` permission on devices covers ``device``."""
    from django.contrib.contenttypes.models import ContentType

    from lastmile.accounts.models import ObjectPermission, User

    ct = ContentType.objects.get_for_model(Device)
    perms = ObjectPermission.objects.filter(
        is_enabled=True, object_types=ct, actions__contains=[NOTIFY_ACTION]
    )
    users = User.objects.filter(
        Q(object_permissions__in=perms) | Q(groups__object_permissions__in=perms), is_active=True
    ).distinct()
    return [
        user
        for user in users.order_by("pk")
        if Device.objects.restrict(user, NOTIFY_ACTION).filter(pk=device.pk).exists()
    ]


def _notify(device: Device, change: StatusChange) -> None:
    if change.previous == Status.UNKNOWN:
        return  # the first status a device gets is not news
    from lastmile.notifications import events
    from lastmile.notifications.services import notify

    event = events.DEVICE_DOWN if change.status == Status.DOWN else events.DEVICE_UP
    context = {
        "device": device.name,
        "device_ip": str(device.ip or ""),
        "device_address": device.address,
        "status": change.status,
        "since": timezone.localtime(change.at).strftime("%Y-%m-%d %H:%M"),
        "detail": change.detail,
        "device_url": reverse("devices:device_detail", args=[device.pk]),
    }
    for user in responsible_staff(device):
        notify(
            event=event,
            staff_user=user,
            context=context,
            dedup_key=f"device-status-{change.pk}-{user.pk}",
        )


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
            states = observe_ports(device, list(answer.ports), at=now)
            counts["link_changes"] = counts.get("link_changes", 0) + len(states.changes)
            store_port_states(device, states.states)
    log.info("devices.polled", **counts)
    return counts


@dataclass
class PortObservation:
    states: list[base.PortState]  # what to store: damped uplinks keep their counted link
    changes: list[PortLinkChange]


def observe_ports(
    device: Device, states: list[base.PortState], *, at: datetime | None = None
) -> PortObservation:
    """Count one poll's link states of the device's uplink ports (role
    ``uplink``), with the device status's flap damping: a new link state
    counts after ``devices_flap_polls`` polls in a row that held
    ``devices_flap_seconds``; then one ``PortLinkChange`` and one notification
    per responsible staff member.  A port's first known state is not news."""
    at = at or timezone.now()
    conf = settings.LASTMILE
    out: list[base.PortState] = []
    changes: list[PortLinkChange] = []
    uplinks = {p.number: p for p in device.ports.filter(role=PortRole.UPLINK)}
    for state in states:
        port = uplinks.get(state.number)
        seen = LinkState(state.link.value) if state.link else LinkState.UNKNOWN
        if port is None or seen == LinkState.UNKNOWN or port.link == LinkState.UNKNOWN:
            out.append(state)
            continue
        with transaction.atomic():
            row = Port.objects.select_for_update().get(pk=port.pk)
            fields = ["link_pending", "link_pending_since", "link_pending_count"]
            if seen == row.link:
                row.link_pending, row.link_pending_since, row.link_pending_count = "", None, 0
            else:
                if row.link_pending != seen or row.link_pending_since is None:
                    row.link_pending, row.link_pending_since, row.link_pending_count = seen, at, 0
                row.link_pending_count += 1
                held_s = (at - row.link_pending_since).total_seconds()
                if (
                    row.link_pending_count >= conf.devices_flap_polls
                    and held_s >= conf.devices_flap_seconds
                ):
                    change = PortLinkChange.objects.create(
                        port=row, device=device, link=seen, previous=row.link, at=at
                    )
                    row.link = seen
                    row.link_pending, row.link_pending_since, row.link_pending_count = "", None, 0
                    fields.append("link")
                    changes.append(change)
                    _notify_link(device, row, change)
                    log.info("device.port_link", device_id=device.pk, port=row.number, link=seen)
            row.save(update_fields=fields)
        out.append(replace(state, link=base.LinkState(row.link)))
    return PortObservation(states=out, changes=changes)


def _notify_link(device: Device, port: Port, change: PortLinkChange) -> None:
    """Through the device status events (the notifications app has no port
    event): the message names the uplink port and its new link state."""
    from lastmile.notifications import events
    from lastmile.notifications.services import notify

    event = events.DEVICE_DOWN if change.link == LinkState.DOWN else events.DEVICE_UP
    label = port.name or str(port.number)
    detail = (
        _("uplink port %(port)s: link down") if change.link == LinkState.DOWN
        else _("uplink port %(port)s: link up")
    ) % {"port": label}  # fmt: skip
    context = {
        "device": f"{device.name} / {label}",
        "device_ip": str(device.ip or ""),
        "device_address": device.address,
        "status": change.link,
        "since": timezone.localtime(change.at).strftime("%Y-%m-%d %H:%M"),
        "detail": detail,
        "device_url": reverse("devices:device_detail", args=[device.pk]),
    }
    for user in responsible_staff(device):
        notify(
            event=event,
            staff_user=user,
            context=context,
            dedup_key=f"port-link-{change.pk}-{user.pk}",
        )


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
