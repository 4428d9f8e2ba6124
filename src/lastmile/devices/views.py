"""Staff pages of the devices app (thin: every command goes through services)."""

from __future__ import annotations

import hmac
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lastmile.accounts.permissions import has_model_permission
from lastmile.core.views import ObjectDeleteView, ObjectListView
from lastmile.devices import monitoring, services
from lastmile.devices.errors import DeviceOperationError, InvalidDeviceData, OperationDenied
from lastmile.devices.filtersets import DeviceActionFilterSet, DeviceFilterSet
from lastmile.devices.forms import DeviceForm, LinkForm, PortForm, PortSettingsForm, PortVlanForm
from lastmile.devices.models import (
    Device,
    DeviceAction,
    Link,
    Port,
    PortMode,
    PortRole,
    PortWatch,
    StatusChange,
)
from lastmile.devices.operations import DEVICE_ACTIONS
from lastmile.devices.tables import DeviceActionTable, DeviceTable


class DeviceListView(ObjectListView):
    template_name = "devices/object_list.html"
    queryset = Device.objects.select_related("group", "parent")
    table = DeviceTable
    filterset = DeviceFilterSet
    add_url = "devices:device_add"


class DeviceActionListView(ObjectListView):
    """Every command sent to devices (an auditor's permission on device actions)."""

    template_name = "devices/object_list.html"
    queryset = DeviceAction.objects.all()
    table = DeviceActionTable
    filterset = DeviceActionFilterSet
    title = gettext_lazy("Device action log")


class DeviceDeleteView(ObjectDeleteView):
    queryset = Device.objects.all()
    success_url = "devices:device_list"


def _device(request: HttpRequest, pk: int, action: str = "view") -> Device:
    return get_object_or_404(Device.objects.restrict(request.user, action), pk=pk)


def _back(device: Device, anchor: str = "") -> HttpResponseRedirect:
    url = reverse("devices:device_detail", args=[device.pk])
    return HttpResponseRedirect(url + (f"#{anchor}" if anchor else ""))


@login_required
def device_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is None:
        if not has_model_permission(request.user, Device, "add"):
            raise PermissionDenied
        device = Device()
    else:
        device = _device(request, pk, "change")
    form = DeviceForm(request.POST or None, instance=device, user=request.user)
    form.fields["parent"].queryset = Device.objects.restrict(request.user, "view").exclude(  # type: ignore[attr-defined]
        pk=device.pk
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_device(
                actor=request.user, device=form.save(commit=False), secrets=form.secrets()
            )
        except InvalidDeviceData as exc:
            form.add_error(exc.field or None, str(exc))
        else:
            if not Device.objects.restrict(request.user, "change").filter(pk=saved.pk).exists():
                messages.warning(request, _("Saved, but this device is now outside your groups."))
                return HttpResponseRedirect(reverse("devices:device_list"))
            messages.success(request, _("Saved: %(object)s") % {"object": saved})
            return _back(saved)
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    title = _("New device") if pk is None else _("Edit device: %(d)s") % {"d": device}
    return render(request, "core/object_edit.html", {"form": form, "title": title})


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


@login_required
def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device(request, pk)
    return render(request, "devices/device_detail.html", _detail_context(request, device))


@login_required
def ports_partial(request: HttpRequest, pk: int) -> HttpResponse:
    """The ports table (htmx): stored state, or read from the device on POST."""
    device = _device(request, pk)
    error = ""
    if request.method == "POST":
        error = _run(request, device, "ports", {}) or ""
    context = _detail_context(request, device)
    context["error"] = error
    return render(request, "devices/_ports.html", context)


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


@login_required
def mac_table_partial(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device(request, pk)
    port = request.GET.get("port") or None
    entries, error = _read(request, device, "mac_table", **({"port": port} if port else {}))
    return render(
        request, "devices/_mac_table.html", {"device": device, "entries": entries, "error": error}
    )


@login_required
def vlans_partial(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device(request, pk)
    vlans, error = _read(request, device, "vlans")
    rows = [
        {"vid": v.vid, "name": v.name, "tagged": sorted(v.tagged), "untagged": sorted(v.untagged)}
        for v in vlans or []
    ]
    return render(request, "devices/_vlans.html", {"device": device, "vlans": rows, "error": error})


@login_required
@require_POST
def port_add(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device(request, pk, "change")
    form = PortForm(request.POST)
    if form.is_valid():
        try:
            services.add_port(actor=request.user, device=device, **form.cleaned_data)
        except InvalidDeviceData as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Port added."))
    else:
        messages.error(request, _("Port not added: %(e)s") % {"e": _form_errors(form)})
    return _back(device, "ports")


def _form_errors(form: Any) -> str:
    return "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())


@login_required
@require_POST
def port_toggle(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    device = _device(request, pk)
    up = request.POST.get("up") == "1"
    error = _run(request, device, "set_port_admin", {"port": number, "up": up})
    _say(request, error, _("Port %(n)s is %(state)s.") % {
        "n": number, "state": _("enabled") if up else _("disabled")
    })  # fmt: skip
    return _back(device, "ports")


@login_required
@require_POST
def ports_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    """Enable or disable the chosen ports one by one; each gets its log row."""
    device = _device(request, pk)
    up = request.POST.get("operation") == "enable"
    numbers = sorted({int(n) for n in request.POST.getlist("select") if n.isdigit()})
    if not numbers:
        messages.error(request, _("Choose at least one port."))
        return _back(device, "ports")
    done: list[tuple[int, str | None]] = []
    failed: list[tuple[int, str | None]] = []
    for number in numbers:
        try:
            services.run_operation(
                actor=request.user,
                device=device,
                operation="set_port_admin",
                params={"port": number, "up": up},
            )
        except OperationDenied as exc:
            failed.append((number, str(exc)))
            break  # the same answer for every port: say it once
        except DeviceOperationError as exc:
            failed.append((number, str(exc)))
        else:
            done.append((number, None))
    if done:
        messages.success(
            request,
            _("Ports %(list)s: %(state)s.")
            % {
                "list": ", ".join(str(n) for n, _e in done),
                "state": _("enabled") if up else _("disabled"),
            },
        )
    for number, error in failed:
        messages.error(request, _("Port %(n)s: %(e)s") % {"n": number, "e": error})
    return _back(device, "ports")


@login_required
@require_POST
def port_settings(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A port's mode, role and link watch in the inventory (``change`` on the device)."""
    device = _device(request, pk, "change")
    port = get_object_or_404(device.ports, number=number)
    form = PortSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(device, "ports")
    try:
        services.set_port_settings(
            actor=request.user,
            port=port,
            mode=form.cleaned_data["mode"],
            role=form.cleaned_data["role"] or "",
            watch=form.cleaned_data["watch"] or "",
        )
    except InvalidDeviceData as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Port %(n)s saved.") % {"n": number})
    return _back(device, "ports")


@login_required
@require_POST
def port_vlans(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    device = _device(request, pk)
    form = PortVlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(device, "ports")
    params = {
        "port": number,
        "untagged": form.cleaned_data["untagged"],
        "tagged": form.cleaned_data["tagged"],
    }
    error = _run(request, device, "set_port_vlans", params)
    _say(request, error, _("VLANs of port %(n)s changed.") % {"n": number})
    return _back(device, "ports")


@login_required
@require_POST
def device_command(request: HttpRequest, pk: int, operation: str) -> HttpResponse:
    """Reboot or save the configuration (the page asks for confirmation)."""
    if operation not in ("reboot", "save_config"):
        raise PermissionDenied
    device = _device(request, pk)
    error = _run(request, device, operation, {})
    _say(request, error, _("Done: %(what)s.") % {"what": operation.replace("_", " ")})
    return _back(device)


def _say(request: HttpRequest, error: str | None, success: str) -> None:
    if error:
        messages.error(request, error)
    else:
        messages.success(request, success)


@login_required
@require_POST
def link_add(request: HttpRequest, pk: int) -> HttpResponse:
    """This device is plugged (by its port) into a port of an upstream device."""
    device = _device(request, pk, "change")
    form = LinkForm(request.POST)
    form.fields["upper_device"].queryset = Device.objects.restrict(request.user, "change")  # type: ignore[attr-defined]
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(device, "neighbours")
    upper_device = form.cleaned_data["upper_device"]
    try:
        upper = _port(upper_device, form.cleaned_data["upper_number"])
        lower = _port(device, form.cleaned_data["own_number"])
        services.link_ports(actor=request.user, upper=upper, lower=lower)
    except InvalidDeviceData as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Link saved."))
    return _back(device, "neighbours")


def _port(device: Device, number: int) -> Port:
    """The port, created when staff name one the device has not reported yet."""
    port = device.ports.filter(number=number).first()
    return port or Port.objects.create(device=device, number=number)


@login_required
@require_POST
def link_delete(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    device = _device(request, pk, "change")
    link = get_object_or_404(
        Link.objects.filter(upper__device=device) | Link.objects.filter(lower__device=device),
        pk=link_pk,
    )
    link.delete()
    messages.success(request, _("Link removed."))
    return _back(device, "neighbours")


@login_required
def status_history(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device(request, pk)
    changes = StatusChange.objects.filter(device=device)[:500]
    return render(
        request,
        "devices/status_history.html",
        {"device": device, "changes": changes, "title": _("Status history")},
    )


# External monitors ---------------------------------------------------------------


@csrf_exempt
@require_POST
def status_webhook(request: HttpRequest) -> HttpResponse:
    """Zabbix-style: ``X-Lastmile-Token`` header; JSON or form ``device`` (name
    or IP) and ``status`` (up/down, or Zabbix's PROBLEM/OK)."""
    secret = settings.LASTMILE.devices_webhook_token
    given = request.headers.get("X-Lastmile-Token", "")
    if secret is None or not secret.get_secret_value():
        return JsonResponse({"error": "the webhook is off"}, status=404)
    if not hmac.compare_digest(given.encode(), secret.get_secret_value().encode()):
        return JsonResponse({"error": "bad token"}, status=401)
    try:
        data = (
            json.loads(request.body) if request.content_type == "application/json" else request.POST
        )
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    if not hasattr(data, "get"):
        return JsonResponse({"error": "send an object"}, status=400)
    status = str(data.get("status", "")).strip().lower()
    words = {"up": True, "ok": True, "resolved": True, "down": False, "problem": False}
    if status not in words:
        return JsonResponse({"error": "status must be up or down"}, status=400)
    device = monitoring.find_device(str(data.get("device", "")))
    if device is None:
        return JsonResponse({"error": "no such device"}, status=404)
    change = monitoring.observe(
        device,
        is_up=words[status],
        source="webhook",
        detail=str(data.get("message", ""))[:500],
    )
    return JsonResponse({"device": device.name, "status": device.status, "changed": bool(change)})
