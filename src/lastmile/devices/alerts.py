"""Who hears about a device, and what they are told: the device and port
events through the notifications outbox (one row per change and person)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from lastmile.devices.models import Device, LinkState, Port, PortLinkChange, Status, StatusChange

NOTIFY_ACTION = "notify"


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


def _device_context(device: Device, at: Any) -> dict[str, Any]:
    return {
        "device": device.name,
        "device_ip": str(device.ip or ""),
        "device_address": device.address,
        "since": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
        "device_url": reverse("devices:device_detail", args=[device.pk]),
    }


def _notify_responsible(device: Device, event: str, context: dict[str, Any], key: str) -> None:
    """One outbox row per responsible person; ``key`` names the change."""
    from lastmile.notifications.services import notify

    for user in responsible_staff(device):
        notify(event=event, staff_user=user, context=context, dedup_key=f"{key}-{user.pk}")


def notify_status_change(device: Device, change: StatusChange) -> None:
    """``device_down`` / ``device_up`` to the responsible staff; a device's
    first status is not news."""
    if change.previous == Status.UNKNOWN:
        return
    from lastmile.notifications import events

    event = events.DEVICE_DOWN if change.status == Status.DOWN else events.DEVICE_UP
    context = {
        **_device_context(device, change.at),
        "status": change.status,
        "detail": change.detail,
    }
    _notify_responsible(device, event, context, f"device-status-{change.pk}")


def notify_link_change(device: Device, port: Port, change: PortLinkChange) -> None:
    """``port_down`` / ``port_up`` to the responsible staff."""
    from lastmile.notifications import events

    event = events.PORT_DOWN if change.link == LinkState.DOWN else events.PORT_UP
    context = {
        **_device_context(device, change.at),
        "port": port.name or str(port.number),
        "port_number": port.number,
        "port_description": port.description,
        "port_role": port.role,  # the value: templates word it per language
        "link": change.link,
        "previous": change.previous,
    }
    _notify_responsible(device, event, context, f"port-link-{change.pk}")
