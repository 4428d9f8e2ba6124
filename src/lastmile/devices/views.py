"""Staff pages of devices: the device list, the action log, a device's page, its
edit and delete, and the reboot/save commands (thin: every command goes through services).
Ports are in ``views_ports``, links in ``views_links``, ONUs in ``views_onus``,
status history and the monitors' webhook in ``views_monitoring``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lastmile.accounts.permissions import has_model_permission
from lastmile.core.views import ObjectDeleteView, ObjectListView
from lastmile.devices import services
from lastmile.devices.errors import InvalidDeviceData
from lastmile.devices.filtersets import DeviceActionFilterSet, DeviceFilterSet
from lastmile.devices.forms import DeviceForm
from lastmile.devices.models import Device, DeviceAction
from lastmile.devices.tables import DeviceActionTable, DeviceTable
from lastmile.devices.views_common import _back, _detail_context, _device, _run, _say


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

    def perform_delete(self, request: HttpRequest, obj: Any) -> None:
        services.delete_device(actor=request.user, device=obj)


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


@login_required
def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device(request, pk)
    return render(request, "devices/device_detail.html", _detail_context(request, device))


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
