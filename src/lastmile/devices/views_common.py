"""Helpers every staff page of the devices app shares: the device under the user's
permission, the way back to its page, running an operation and saying how it went,
and the device page's context (the ports table re-renders with it)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from lastmile.devices import services
from lastmile.devices.errors import DeviceOperationError
from lastmile.devices.forms import LinkForm, PortForm
from lastmile.devices.models import Device, PortMode, PortRole, PortWatch
from lastmile.devices.operations import DEVICE_ACTIONS


def _device(request: HttpRequest, pk: int, action: str = "view") -> Device:
    return get_object_or_404(Device.objects.restrict(request.user, action), pk=pk)


def _back(device: Device, anchor: str = "") -> HttpResponseRedirect:
    url = reverse("devices:device_detail", args=[device.pk])
    return HttpResponseRedirect(url + (f"#{anchor}" if anchor else ""))


def _run(request: HttpRequest, device: Device, operation: str, params: dict[str, Any]) -> Any:
    """Run and return the error message ('' or None when it worked)."""
    try:
        services.run_operation(
            actor=request.user, device=device, operation=operation, params=params
        )
    except DeviceOperationError as exc:
        return str(exc)
    return None


def _read(request: HttpRequest, device: Device, operation: str, **params: Any) -> tuple[Any, str]:
    try:
        return services.run_operation(
            actor=request.user, device=device, operation=operation, params=params
        ), ""
    except DeviceOperationError as exc:
        return None, str(exc)


def _say(request: HttpRequest, error: str | None, success: str) -> None:
    if error:
        messages.error(request, error)
    else:
        messages.success(request, success)


def _form_errors(form: Any) -> str:
    return "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())


def _detail_context(request: HttpRequest, device: Device) -> dict[str, Any]:
    user = request.user
    driver = services.driver_for(device)
    can = {action: services.may(user, device, action) for action in DEVICE_ACTIONS}
    can["change"] = services.may(user, device, "change")
    ports = list(device.ports.prefetch_related("vlans", "bindings__customer").order_by("number"))
    return {
        "device": device,
        "title": device.name,
        "driver": driver,
        "driver_title": dict(services.driver_choices()).get(device.driver, device.driver),
        "is_olt": bool(driver and driver.is_olt),
        "ports": ports,
        "can": can,
        "neighbours": services.neighbours(device),
        "children": device.children.restrict(user, "view").order_by("name"),
        "actions": device.actions.all()[:20],
        "status_changes": device.status_changes.all()[:20],
        "link_form": LinkForm(),
        "link_candidates": Device.objects.restrict(user, "change").exclude(pk=device.pk)[:500],
        "port_form": PortForm(),
        "mode_choices": PortMode.choices,
        "role_choices": PortRole.choices,
        "watch_choices": PortWatch.choices,
        "extra_json": json.dumps(device.extra or {}, ensure_ascii=False, indent=1),
        "registry_address": device.address_object.full_name() if device.address_object else "",
    }
