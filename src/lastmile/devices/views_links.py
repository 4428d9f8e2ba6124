"""Staff pages of a device's links: which port of an upstream device it is plugged into."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lastmile.devices import services
from lastmile.devices.errors import InvalidDeviceData
from lastmile.devices.forms import LinkForm
from lastmile.devices.models import Device, Link, Port
from lastmile.devices.views_common import _back, _device, _form_errors


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
