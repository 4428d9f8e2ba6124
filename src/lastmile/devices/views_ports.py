"""Staff pages of a device's ports: the ports table, the MAC and VLAN tables read
from the device, adding a port, enabling/disabling ports, a port's settings and
VLANs; and the port search endpoint (htmx): ``<option>`` rows for the IPoE
binding form's port picker."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lastmile.devices import services
from lastmile.devices.errors import DeviceOperationError, InvalidDeviceData, OperationDenied
from lastmile.devices.forms import PortForm, PortSettingsForm, PortVlanForm
from lastmile.devices.port_search import (
    MAX_PAGE,
    PER_PAGE,
    BadSearch,
    parse_int,
    port_label,
    search_ports,
    visible_ports,
)
from lastmile.devices.targets import driver_supports
from lastmile.devices.views_common import (
    _back,
    _detail_context,
    _device,
    _form_errors,
    _read,
    _run,
    _say,
)


@login_required
@require_GET
def port_search(request: HttpRequest) -> HttpResponse:
    """``?q=`` device name / IP / port; ``page``, ``per_page`` (≤ 100); the
    chosen port (``selected``, or the form's ``device_port``) stays first."""
    try:
        page = parse_int(request.GET.get("page"), default=1, low=1, high=MAX_PAGE, what=_("page"))
        per_page = parse_int(
            request.GET.get("per_page"), default=PER_PAGE, low=1, high=100, what=_("per page")
        )
        chosen_id = parse_int(
            request.GET.get("selected") or request.GET.get("device_port"),
            default=0, low=0, high=2**31 - 1, what=_("the chosen port"),
        )  # fmt: skip
        found = search_ports(request.user, request.GET.get("q", ""), page=page, per_page=per_page)
    except BadSearch as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    chosen = visible_ports(request.user).filter(pk=chosen_id).first() if chosen_id else None
    options = [(p.pk, port_label(p)) for p in found.ports if chosen is None or p.pk != chosen.pk]
    return render(
        request,
        "devices/_port_options.html",
        {
            "chosen": (chosen.pk, port_label(chosen)) if chosen else None,
            "options": options,
            "found": found,
        },
    )


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
    context = {
        "device": device,
        "vlans": rows,
        "error": error,
        "can_create": services.may(request.user, device, "change_vlan")
        and driver_supports(device, "create_vlan"),
        "can_delete": services.may(request.user, device, "change_vlan")
        and driver_supports(device, "delete_vlan"),
    }
    return render(request, "devices/_vlans.html", context)


@login_required
@require_POST
def vlan_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Create a VLAN on the device (no ports yet; ``change_vlan`` on the device)."""
    device = _device(request, pk)
    vid, name = request.POST.get("vid", "").strip(), request.POST.get("name", "")
    error = _run(request, device, "create_vlan", {"vid": vid, "name": name})
    _say(request, error, _("VLAN %(vid)s is created.") % {"vid": vid})
    return _back(device, "vlans")


@login_required
@require_POST
def vlan_delete(request: HttpRequest, pk: int, vid: int) -> HttpResponse:
    """Delete a VLAN on the device (its ports leave it; the page asks first)."""
    device = _device(request, pk)
    error = _run(request, device, "delete_vlan", {"vid": vid})
    _say(request, error, _("VLAN %(vid)s is deleted.") % {"vid": vid})
    return _back(device, "vlans")


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
