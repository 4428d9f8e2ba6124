"""Staff pages of the cashier desk: find a customer, a payment and its receipt,
the reversal of a mistaken payment, the shift report (page, PDF, CSV)."""

from __future__ import annotations

import csv
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.accounts.permissions import require_model_permission
from lastmile.core.errors import DomainError
from lastmile.core.views import form_error
from lastmile.customers.models import Customer
from lastmile.finance import cashier, services
from lastmile.finance.forms import CustomerSearchForm, ReversalForm, ShiftReportForm
from lastmile.finance.models import Payment

REVERSE = "reverse"


def _payment(request: HttpRequest, pk: int, action: str = "view") -> Payment:
    """A payment the user may ``action``, of a customer the user may see; else 404."""
    visible = Customer.objects.restrict(request.user, "view")
    queryset = Payment.objects.restrict(request.user, action).filter(account__customer__in=visible)
    return get_object_or_404(queryset.select_related("account__customer", "actor"), pk=pk)


def _pdf(html: str, filename: str) -> HttpResponse:
    from weasyprint import HTML

    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def cashier_desk(request: HttpRequest) -> HttpResponse:
    """Find the customer who pays: by login or contract number."""
    require_model_permission(request.user, Payment, "add")
    form = CustomerSearchForm(request.GET or None)
    found: list[Customer] = []
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
    if query:
        found = list(
            Customer.objects.restrict(request.user, "view")
            .filter(Q(login__icontains=query) | Q(contract_number__icontains=query))
            .order_by("login")[:20]
        )
    return render(
        request,
        "finance/cashier_desk.html",
        {"title": _("Cashier desk"), "form": form, "found": found, "query": query},
    )


@login_required
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment(request, pk)
    return render(
        request,
        "finance/payment_detail.html",
        {
            "title": _("Payment #%(id)s") % {"id": payment.pk},
            "payment": payment,
            "method": cashier.DeskMethod.label(payment.gateway),
            "reversal": cashier.reversal_of(payment),
            "can_reverse": payment.state == Payment.State.COMPLETED
            and Payment.objects.restrict(request.user, REVERSE).filter(pk=payment.pk).exists(),
        },
    )


def receipt_context(payment: Payment) -> dict[str, Any]:
    conf = settings.LASTMILE
    return {
        "payment": payment,
        "isp_name": conf.isp_name,
        "isp_details": conf.isp_details,
        "method": cashier.DeskMethod.label(payment.gateway),
        "receipt_number": payment.receipt_number or f"{payment.pk:08d}",
        "reversal": cashier.reversal_of(payment),
    }


@login_required
def payment_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt of one payment as a PDF."""
    payment = _payment(request, pk)
    html = render_to_string("finance/receipt.html", receipt_context(payment), request=request)
    return _pdf(html, f"receipt-{payment.pk}.pdf")


@login_required
def payment_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then reverse a mistaken payment with a reason (its own permission)."""
    require_model_permission(request.user, Payment, REVERSE)
    payment = _payment(request, pk, REVERSE)
    if payment.state != Payment.State.COMPLETED:  # a double submit lands here too
        messages.info(request, _("This payment was already reversed; nothing changed."))
        return HttpResponseRedirect(reverse("finance:payment_detail", args=[payment.pk]))
    form = ReversalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reverse_payment(
                payment=payment, reason=form.cleaned_data["reason"], actor=request.user
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The payment was reversed."))
            return HttpResponseRedirect(reverse("finance:payment_detail", args=[payment.pk]))
    return render(
        request,
        "finance/payment_reverse.html",
        {
            "title": _("Reverse payment #%(id)s") % {"id": payment.pk},
            "payment": payment,
            "method": cashier.DeskMethod.label(payment.gateway),
            "form": form,
        },
    )


def _period(form: ShiftReportForm) -> tuple[date, date]:
    today = timezone.localdate()
    if not form.is_valid():
        return today, today
    since = form.cleaned_data.get("since") or form.cleaned_data.get("until") or today
    until = form.cleaned_data.get("until") or since
    return since, until


@login_required
def shift_report(request: HttpRequest) -> HttpResponse:
    """Desk payments per cashier and method for a day or a range: page, PDF, CSV.
    Only payments the user may view count (a cashier granted Payment "view"
    with ``{"actor_id": "$user"}`` sees their own shift)."""
    require_model_permission(request.user, Payment, "view")
    form = ShiftReportForm(request.GET or None)
    since, until = _period(form)
    payments = Payment.objects.restrict(request.user, "view").filter(
        account__customer__in=Customer.objects.restrict(request.user, "view")
    )
    report = cashier.shift_report(payments=payments, since=since, until=until)
    context = {
        "title": _("Shift report"),
        "form": form,
        "report": report,
        "isp_name": settings.LASTMILE.isp_name,
        "query": request.GET.urlencode(),
    }
    wanted = request.GET.get("format", "")
    name = f"shift-{since.isoformat()}-{until.isoformat()}"
    if wanted == "pdf":
        html = render_to_string("finance/shift_report_pdf.html", context, request=request)
        return _pdf(html, f"{name}.pdf")
    if wanted == "csv":
        return _shift_csv(report, f"{name}.csv")
    return render(request, "finance/shift_report.html", context)


def _shift_csv(report: cashier.ShiftReport, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(
        [_("Cashier"), _("Method"), _("Payments"), _("Received"), _("Reversed"), _("Net")]
    )
    for row in report.rows:
        writer.writerow(
            [row.cashier, row.method_label, row.count, row.received, row.reversed, row.net]
        )
    writer.writerow([_("Total"), "", report.count, report.received, report.reversed, report.net])
    return response
