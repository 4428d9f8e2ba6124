"""Staff pages: SORM settings, the export log with downloads, the data gaps."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lastmile.accounts.permissions import has_model_permission
from lastmile.core.jobs import defer_in_transaction
from lastmile.core.views import ObjectListView
from lastmile.sorm import jobs, services, validation
from lastmile.sorm.filetypes import ordered
from lastmile.sorm.filtersets import DataGapFilterSet, ExportRunFilterSet
from lastmile.sorm.models import DataGap, ExportFile, ExportRun
from lastmile.sorm.tables import DataGapTable, ExportRunTable


class ExportRunListView(ObjectListView):
    queryset = ExportRun.objects.all()
    table = ExportRunTable
    filterset = ExportRunFilterSet
    template_name = "sorm/run_list.html"
    title = gettext_lazy("SORM exports")


class DataGapListView(ObjectListView):
    queryset = DataGap.objects.select_related("customer")
    table = DataGapTable
    filterset = DataGapFilterSet
    template_name = "sorm/gap_list.html"
    title = gettext_lazy("SORM data gaps")


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ExportRun.objects.restrict(request.user, "view"), pk=pk)
    files = ExportFile.objects.restrict(request.user, "view").filter(run=run)
    return render(
        request,
        "sorm/run_detail.html",
        {"run": run, "files": files.order_by("stage", "id"), "title": str(run)},
    )


@login_required
def file_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    export_file = get_object_or_404(ExportFile.objects.restrict(request.user, "view"), pk=pk)
    path = services.stored_file(export_file)
    if not path.exists():
        messages.error(request, _("The stored file is missing: %(path)s") % {"path": path})
        return HttpResponseRedirect(reverse("sorm:run_detail", args=[export_file.run_id]))
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=export_file.remote_path.rsplit("/", 1)[-1],
        content_type="text/plain; charset=utf-8",
    )
    response["X-Content-SHA256"] = export_file.sha256
    return response


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    if not has_model_permission(request.user, ExportRun, "add"):
        raise PermissionDenied
    full = request.POST.get("full") == "1"
    defer_in_transaction(jobs.sorm_export_now, full=full, actor_id=request.user.pk)
    messages.success(
        request,
        _("A full export is queued.") if full else _("An incremental export is queued."),
    )
    return HttpResponseRedirect(reverse("sorm:run_list"))


@login_required
@require_POST
def gaps_refresh(request: HttpRequest) -> HttpResponse:
    if not has_model_permission(request.user, DataGap, "add"):
        raise PermissionDenied
    count = validation.refresh_gaps()
    messages.success(request, _("Checked: %(count)s gaps found.") % {"count": count})
    return HttpResponseRedirect(reverse("sorm:gap_list"))


def _settings_rows() -> list[tuple[str, Any]]:
    conf: Any = settings.LASTMILE
    rows: list[tuple[str, Any]] = []
    for name in type(conf).model_fields:
        if not name.startswith("sorm_"):
            continue
        value = getattr(conf, name)
        if name == "sorm_ftp_password":
            value = _("set") if value else _("not set")
        rows.append((f"LASTMILE_{name.upper()}", value))
    return rows


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    if not has_model_permission(request.user, ExportRun, "view"):
        raise PermissionDenied
    return render(
        request,
        "sorm/settings.html",
        {
            "title": _("SORM settings"),
            "settings_rows": _settings_rows(),
            "file_types": ordered(),
            "enabled": settings.LASTMILE.sorm_enabled,
            "ftp_host": settings.LASTMILE.sorm_ftp_host,
        },
    )
