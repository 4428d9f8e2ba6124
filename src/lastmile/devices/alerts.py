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
    """Active staff whose ``notify`` permission on devices covers ``device``.

    A fixed number of queries however many staff hold the permission: the
    permissions with their users (direct and through groups) in three, and
    one aggregate that tests every person's constraints against the device
    at once; a mass outage notifies hundreds of devices in one poll."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count, Prefetch

    from lastmile.accounts.models import ObjectPermission, User
    from lastmile.core.permissions import grants_filter

    active = User.objects.filter(is_active=True).order_by("pk")
    perms = ObjectPermission.objects.filter(
        is_enabled=True,
        object_types=ContentType.objects.get_for_model(Device),
        actions__contains=[NOTIFY_ACTION],
    ).prefetch_related(
        Prefetch("users", queryset=active), Prefetch("groups__user_set", queryset=active)
    )
    holders: dict[int, Any] = {}
    grants: dict[int, list[Any]] = {}
    for perm in perms:
        members = list(perm.users.all()) + [u for g in perm.groups.all() for u in g.user_set.all()]
        for user in members:
            holders.setdefault(user.pk, user)
            grants.setdefault(user.pk, []).append(perm.constraints)
    tests = {}
    for pk, user in holders.items():
        condition = Q() if user.is_superuser else grants_filter(grants[pk], user, Device)
        if condition:
            tests[f"u{pk}"] = Count("pk", filter=condition)
    covered = Device.objects.filter(pk=device.pk).aggregate(**tests) if tests else {}
    return [
        user
        for pk, user in sorted(holders.items())
        if f"u{pk}" not in tests or covered.get(f"u{pk}")
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
