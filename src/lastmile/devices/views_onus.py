"""Staff pages of ONUs: the stored ONU list and an ONU's page (its VLANs,
added and removed on the OLT), the OLT's ONU table, registration, names,
removal, and the ONU configuration templates with a preview of their commands."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lastmile.accounts.permissions import has_model_permission
from lastmile.core.views import ObjectListView
from lastmile.devices import onus, services
from lastmile.devices.errors import DeviceOperationError, InvalidDeviceData
from lastmile.devices.filtersets import OnuFilterSet
from lastmile.devices.forms import OnuRegisterForm, OnuTemplateForm, OnuVlanForm
from lastmile.devices.models import Onu, OnuTemplate
from lastmile.devices.tables import OnuTable, OnuTemplateTable
from lastmile.devices.views_common import _back, _device, _form_errors, _read, _run, _say


class OnuListView(ObjectListView):
    """The stored ONUs (refreshed by the ``devices.refresh_onus`` job) under
    the ONUs' own ``view`` permission (constrained e.g. by
    ``olt__group__name``), not the OLT's: seeing an OLT shows none of its ONUs."""

    template_name = "devices/object_list.html"
    queryset = Onu.objects.select_related("olt", "binding__customer")
    table = OnuTable
    filterset = OnuFilterSet
    title = gettext_lazy("ONUs")


class OnuTemplateListView(ObjectListView):
    template_name = "devices/object_list.html"
    queryset = OnuTemplate.objects.all()
    table = OnuTemplateTable
    add_url = "devices:template_add"
    title = gettext_lazy("ONU templates")


def _onu(request: HttpRequest, pk: int) -> Onu:
    """An ONU the user may view (the ONUs' own permission; the OLT's is not needed)."""
    return get_object_or_404(
        Onu.objects.restrict(request.user, "view").select_related("olt", "binding__customer"),
        pk=pk,
    )


def _onu_back(onu: Onu) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("devices:onu_detail", args=[onu.pk]))


@login_required
def onu_detail(request: HttpRequest, pk: int) -> HttpResponse:
    onu = _onu(request, pk)
    olt = onu.olt
    templates = OnuTemplate.objects.restrict(request.user, "view").filter(
        driver__in=["", olt.driver]
    )
    preview: list[str] = []
    preview_error = ""
    chosen = request.GET.get("template")
    if chosen:
        template = templates.filter(pk=chosen).first()
        if template is None:
            preview_error = _("Choose a template.")
        else:
            try:
                preview = onus.template_commands(template, onu)
            except InvalidDeviceData as exc:
                preview_error = str(exc)
    return render(
        request,
        "devices/onu_detail.html",
        {
            "onu": onu,
            "olt": olt,
            "title": str(onu),
            "can_view_olt": services.may(request.user, olt, "view"),
            "can_change_vlan": services.may(request.user, olt, "change_vlan"),
            "vlan_form": OnuVlanForm(),
            "templates": templates,
            "chosen": chosen,
            "preview": preview,
            "preview_error": preview_error,
        },
    )


@login_required
@require_POST
def onu_vlan_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Add or remove one VLAN of the ONU on its OLT (``change_vlan`` on the OLT)."""
    onu = _onu(request, pk)
    form = OnuVlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _onu_back(onu)
    operation = "add_onu_vlan" if form.cleaned_data["action"] == "add" else "remove_onu_vlan"
    params = {"fiber": onu.fiber, "number": onu.number, "vlan": form.cleaned_data["vlan"]}
    error = _run(request, onu.olt, operation, params)
    vlan = form.cleaned_data["vlan"]
    _say(
        request,
        error,
        (_("VLAN %(v)s added to the ONU.") if operation == "add_onu_vlan"
         else _("VLAN %(v)s removed from the ONU.")) % {"v": vlan},
    )  # fmt: skip
    return _onu_back(onu)


@login_required
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is None:
        if not has_model_permission(request.user, OnuTemplate, "add"):
            raise PermissionDenied
        template = OnuTemplate()
    else:
        template = get_object_or_404(OnuTemplate.objects.restrict(request.user, "change"), pk=pk)
    form = OnuTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        try:
            saved = onus.save_template(actor=request.user, template=form.save(commit=False))
        except InvalidDeviceData as exc:
            form.add_error(exc.field or None, str(exc))
        else:
            messages.success(request, _("Saved: %(object)s") % {"object": saved})
            return HttpResponseRedirect(reverse("devices:template_list"))
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    title = _("New ONU template") if pk is None else _("Edit ONU template: %(t)s") % {"t": template}
    return render(request, "core/object_edit.html", {"form": form, "title": title})


@login_required
def onus_partial(request: HttpRequest, pk: int) -> HttpResponse:
    """The OLT's ONUs as stored, those the user may view (the ONUs' own
    permission); read from the OLT (and stored) when asked (``?refresh=1``)
    or when none are stored yet."""
    device = _device(request, pk)
    visible = Onu.objects.restrict(request.user, "view").filter(olt=device)
    may_see_onus = has_model_permission(request.user, Onu, "view")
    error = ""
    if not may_see_onus:
        error = _("You are not allowed to see ONUs.")
    elif request.GET.get("refresh") or not device.onu_rows.exists():
        try:
            onus.refresh_onus(device, actor=request.user)
        except DeviceOperationError as exc:
            error = str(exc)
    rows = visible.filter(is_present=True).order_by("fiber", "number")
    return render(
        request,
        "devices/_onus.html",
        {
            "device": device,
            "onus": rows,
            "error": error,
            "can_rename": services.may(request.user, device, "rename_onu"),
            "can_remove": services.may(request.user, device, "remove_onu"),
        },
    )


@login_required
def onu_vlans_partial(request: HttpRequest, pk: int) -> HttpResponse:
    """Every VLAN of one ONU, read over the OLT's CLI (the last one included)
    and stored on its row; when the OLT does not answer, the stored ones
    with the time they were read, and the error."""
    device = _device(request, pk)
    fiber, number = request.GET.get("fiber", ""), request.GET.get("number", "")
    vlans, error = _read(request, device, "onu_vlans", fiber=fiber, number=number)
    onu = None
    if error and number.isdigit():
        visible = Onu.objects.restrict(request.user, "view")
        onu = visible.filter(olt=device, fiber=fiber, number=int(number)).first()
    context = {"vlans": vlans, "error": error, "onu": onu}
    return render(request, "devices/_onu_vlans.html", context)


@login_required
def onu_register(request: HttpRequest, pk: int) -> HttpResponse:
    """The wizard: unregistered ONUs → a template → register."""
    device = _device(request, pk)
    if not services.may(request.user, device, "register_onu"):
        raise PermissionDenied
    form = OnuRegisterForm(request.POST or None, initial=request.GET.dict())
    form.fields["template"].queryset = OnuTemplate.objects.filter(driver__in=["", device.driver])  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        template = form.cleaned_data["template"]
        params = {
            "fiber": form.cleaned_data["fiber"],
            "serial": form.cleaned_data["serial"],
            "template": template.driver_template,
            "params": {
                "template_name": template.name,
                "onu_type": template.onu_type,
                "vlan": template.vlan,
                "name": form.cleaned_data["name"],
            },
        }
        error = _run(request, device, "register_onu", params)
        if not error:
            messages.success(
                request, _("ONU %(sn)s registered.") % {"sn": form.cleaned_data["serial"]}
            )
            return _back(device, "onus")
        messages.error(request, error)
    unregistered: list[Any] = []
    error = ""
    if request.method == "GET" and "serial" not in request.GET:
        unregistered, error = _read(request, device, "unregistered_onus")
    return render(
        request,
        "devices/onu_register.html",
        {
            "device": device,
            "title": _("Register an ONU on %(d)s") % {"d": device.name},
            "unregistered": unregistered or [],
            "error": error,
            "form": form,
            "chosen": "serial" in request.GET or request.method == "POST",
        },
    )


@login_required
@require_POST
def onu_rename(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device(request, pk)
    params = {
        "fiber": request.POST.get("fiber", ""),
        "number": request.POST.get("number", ""),
        "name": request.POST.get("name", ""),
        "description": request.POST.get("description", ""),
    }
    error = _run(request, device, "set_onu_name", params)
    _say(request, error, _("ONU name written to the OLT."))
    return _back(device, "onus")


@login_required
@require_POST
def onu_remove(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device(request, pk)
    params = {"fiber": request.POST.get("fiber", ""), "number": request.POST.get("number", "")}
    error = _run(request, device, "remove_onu", params)
    _say(request, error, _("ONU removed from the OLT."))
    return _back(device, "onus")
