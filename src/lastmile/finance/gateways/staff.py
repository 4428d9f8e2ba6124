"""Staff pages of the gateways: list and settings, request log, reconciliation
per gateway and day, registry upload with preview → confirm."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import django_filters
import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lastmile.accounts.permissions import has_model_permission, require_model_permission
from lastmile.core.errors import DomainError
from lastmile.core.filters import DateFilter
from lastmile.core.views import ObjectListView, form_error, message_error
from lastmile.finance.gateways import registry
from lastmile.finance.gateways.base import (
    DayTotal,
    DayTotals,
    Gateway,
    all_gateways,
    get_gateway,
)
from lastmile.finance.gateways.forms import (
    GatewayConfigForm,
    ReconciliationForm,
    RegistryUploadForm,
)
from lastmile.finance.gateways.models import GatewayConfig, GatewayRequestLog, RegistryImport
from lastmile.finance.models import Payment


@login_required
def gateway_list(request: HttpRequest) -> HttpResponse:
    require_model_permission(request.user, GatewayConfig, "view")
    configs = {c.name: c for c in GatewayConfig.objects.restrict(request.user, "view")}
    rows = []
    for gateway in all_gateways():
        urls = gateway.url_patterns()
        rows.append(
            {
                "gateway": gateway,
                "config": configs.get(gateway.name),
                "endpoint": f"/pay/{gateway.name}/" if urls else "",
            }
        )
    return render(
        request,
        "gateways/gateway_list.html",
        {
            "title": _("Payment gateways"),
            "rows": rows,
            "can_change": has_model_permission(request.user, GatewayConfig, "change"),
        },
    )


@login_required
def gateway_edit(request: HttpRequest, name: str) -> HttpResponse:
    try:
        gateway = get_gateway(name)
    except KeyError as exc:
        raise Http404 from exc
    config = GatewayConfig.objects.filter(name=name).first()
    require_model_permission(request.user, GatewayConfig, "change" if config else "add")
    if config is not None:
        config = get_object_or_404(
            GatewayConfig.objects.restrict(request.user, "change"), pk=config.pk
        )
    instance = config or GatewayConfig(name=name, title=gateway.title)
    form = GatewayConfigForm(request.POST or None, instance=instance, gateway=gateway)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Gateway settings saved."))
        return HttpResponseRedirect(reverse("gateways:gateway_list"))
    return render(
        request,
        "core/object_edit.html",
        {
            "form": form,
            "object": instance,
            "title": _("Settings of %(gateway)s") % {"gateway": gateway.title},
        },
    )


class RequestLogFilterSet(django_filters.FilterSet):
    since = DateFilter(field_name="created_at", lookup_expr="date__gte", label=gettext_lazy("From"))
    until = DateFilter(field_name="created_at", lookup_expr="date__lte", label=gettext_lazy("To"))
    gateway = django_filters.CharFilter(label=gettext_lazy("Gateway"))
    outcome = django_filters.CharFilter(label=gettext_lazy("Outcome"))
    external_id = django_filters.CharFilter(label=gettext_lazy("External id"))

    class Meta:
        model = GatewayRequestLog
        fields: list[str] = []


class RequestLogTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name=gettext_lazy("time"), format="d.m.Y H:i:s")
    request_body = tables.TemplateColumn(
        "<code class='wrap'>{{ value|truncatechars:300 }}</code>",
        verbose_name=gettext_lazy("request"),
    )
    response_body = tables.TemplateColumn(
        "<code class='wrap'>{{ value|truncatechars:300 }}</code>",
        verbose_name=gettext_lazy("response"),
    )

    class Meta:
        model = GatewayRequestLog
        fields = (
            "created_at",
            "gateway",
            "action",
            "remote_addr",
            "outcome",
            "response_status",
            "external_id",
            "amount",
            "customer_id",
            "request_body",
            "response_body",
        )
        attrs = {"class": "table"}
        empty_text = gettext_lazy("No requests.")


class RequestLogView(ObjectListView):
    queryset = GatewayRequestLog.objects.all()
    table = RequestLogTable
    filterset = RequestLogFilterSet
    title = gettext_lazy("Gateway request log")  # type: ignore[assignment]


def our_totals(gateway: str, *, since: date, until: date) -> DayTotals:
    """Completed payments of a gateway per local day of payment."""
    rows = (
        Payment.objects.filter(
            gateway=gateway,
            state=Payment.State.COMPLETED,
            paid_at__date__gte=since,
            paid_at__date__lte=until,
        )
        .annotate(day=TruncDate("paid_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(count=Count("id"), total=Sum("amount"))
        .order_by("day")
    )
    return {r["day"]: DayTotal(r["count"], r["total"] or Decimal("0.00")) for r in rows}


def reconciliation_rows(
    gateways: list[Gateway], *, since: date, until: date
) -> list[dict[str, Any]]:
    rows = []
    for gateway in gateways:
        if not gateway.has_statement:
            continue
        ours = our_totals(gateway.name, since=since, until=until)
        theirs = gateway.provider_totals(since=since, until=until)
        for day in sorted(set(ours) | set(theirs), reverse=True):
            our = ours.get(day, (0, Decimal("0.00")))
            their = theirs.get(day, (0, Decimal("0.00")))
            rows.append(
                {
                    "gateway": gateway,
                    "day": day,
                    "our_count": our[0],
                    "our_sum": our[1],
                    "their_count": their[0],
                    "their_sum": their[1],
                    "matches": our == their,
                }
            )
    return rows


@login_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    """Sum and count per gateway and day: our ledger against the provider's side."""
    require_model_permission(request.user, Payment, "view")
    form = ReconciliationForm(request.GET or None)
    today = timezone.localdate()
    since, until = today - timedelta(days=6), today
    if form.is_valid():
        since = form.cleaned_data["since"] or since
        until = form.cleaned_data["until"] or until
    rows = reconciliation_rows(all_gateways(), since=since, until=until)
    return render(
        request,
        "gateways/reconciliation.html",
        {"title": _("Reconciliation"), "form": form, "rows": rows, "since": since, "until": until},
    )


@login_required
def registry_upload(request: HttpRequest) -> HttpResponse:
    require_model_permission(request.user, Payment, "add")
    form = RegistryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imported = registry.preview_registry(
                data=upload.read(), file_name=upload.name, actor=request.user
            )
        except DomainError as exc:
            form_error(form, exc, field="file")
        else:
            return HttpResponseRedirect(reverse("gateways:registry_preview", args=[imported.pk]))
    recent = RegistryImport.objects.restrict(request.user, "view").select_related("uploaded_by")[
        :20
    ]
    return render(
        request,
        "gateways/registry_upload.html",
        {"title": _("Import a bank registry"), "form": form, "recent": recent},
    )


@login_required
def registry_preview(request: HttpRequest, pk: int) -> HttpResponse:
    require_model_permission(request.user, Payment, "add")
    imported = get_object_or_404(RegistryImport.objects.restrict(request.user, "view"), pk=pk)
    if request.method == "POST":
        try:
            count = registry.confirm_registry(registry=imported, actor=request.user)
        except DomainError as exc:
            message_error(request, exc)
        else:
            messages.success(request, _("%(count)s payments imported.") % {"count": count})
        return HttpResponseRedirect(reverse("gateways:registry_preview", args=[imported.pk]))
    rows = list(imported.rows.select_related("customer"))
    new = [r for r in rows if r.status == registry.Status.NEW]
    return render(
        request,
        "gateways/registry_preview.html",
        {
            "title": _("Registry %(file)s") % {"file": imported.file_name},
            "registry": imported,
            "rows": rows,
            "has_errors": any(r.status == registry.Status.ERROR for r in rows),
            "new_count": len(new),
            "new_sum": sum((r.amount or Decimal("0.00") for r in new), Decimal("0.00")),
        },
    )
