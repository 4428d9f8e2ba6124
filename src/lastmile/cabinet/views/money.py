"""Paying online, the payment list with receipts, and period statements."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.cabinet import payments, queries
from lastmile.cabinet.forms import PayForm, StatementForm
from lastmile.cabinet.session import cabinet_view
from lastmile.cabinet.views.common import customer_of, paginate, redirect_home
from lastmile.finance.cashier_views import receipt_context


@cabinet_view
def pay(request: HttpRequest) -> HttpResponse:
    """Top up online: the amount, then the payment provider's page."""
    customer = customer_of(request)
    form = PayForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        amount: Decimal = form.cleaned_data["amount"]
        try:
            url = payments.start(customer=customer, amount=amount)
        except payments.PaymentUnavailable as exc:
            form.add_error(None, str(exc))
        else:
            return HttpResponseRedirect(url)
    return render(request, "cabinet/pay.html", {"form": form, "title": _("Pay online")})


@cabinet_view
def pay_return(request: HttpRequest) -> HttpResponse:
    """Where the payment provider sends the subscriber back."""
    messages.info(request, _("Thank you. The balance shows the payment once the bank confirms it."))
    return redirect_home()


# Payments, receipts and statements --------------------------------------------------


@cabinet_view
def payment_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, queries.payments(customer_of(request)))
    return render(request, "cabinet/payments.html", {"page": page, "title": _("Payments")})


def _pdf(html: str, filename: str) -> HttpResponse:
    from weasyprint import HTML

    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@cabinet_view
def payment_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt of one of the customer's own payments (the cashier's receipt)."""
    payment = get_object_or_404(
        queries.payments(customer_of(request)).select_related("account__customer", "actor"), pk=pk
    )
    html = render_to_string("finance/receipt.html", receipt_context(payment), request=request)
    return _pdf(html, f"receipt-{payment.pk}.pdf")


def _statement_period(request: HttpRequest) -> tuple[StatementForm, date, date]:
    today = timezone.localdate()
    default_start = today.replace(day=1)
    form = StatementForm(request.GET if "start" in request.GET else None,
                         initial={"start": default_start, "end": today})  # fmt: skip
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default_start, today


@cabinet_view
def statement(request: HttpRequest) -> HttpResponse:
    """A period's statement on the page, with PDF and CSV of the same period."""
    customer = customer_of(request)
    form, start, end = _statement_period(request)
    invalid = form.is_bound and not form.is_valid()
    context = {
        "form": form,
        "statement": queries.statement(customer, start, end),
        "query": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
        "title": _("Statement"),
    }
    return render(request, "cabinet/statement.html", context, status=400 if invalid else 200)


@cabinet_view
def statement_pdf(request: HttpRequest) -> HttpResponse:
    customer = customer_of(request)
    _form, start, end = _statement_period(request)
    context = {
        "customer": customer,
        "statement": queries.statement(customer, start, end),
        "isp_name": settings.LASTMILE.isp_name,
        "isp_details": settings.LASTMILE.isp_details,
    }
    html = render_to_string("cabinet/statement_pdf.html", context, request=request)
    return _pdf(html, f"statement-{start.isoformat()}-{end.isoformat()}.pdf")


@cabinet_view
def statement_csv(request: HttpRequest) -> HttpResponse:
    """The statement as CSV: plain numbers (a dot, no grouping) for spreadsheets."""
    customer = customer_of(request)
    _form, start, end = _statement_period(request)
    data = queries.statement(customer, start, end)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="statement-{start.isoformat()}-{end.isoformat()}.csv"'
    )
    response.write("\ufeff")  # spreadsheets read UTF-8 with a BOM
    writer = csv.writer(response)
    writer.writerow([_("Time"), _("Operation"), _("Amount"), _("Balance after"), _("Reason")])
    writer.writerow(["", _("Opening balance"), "", f"{data.opening:.2f}", ""])
    for entry in data.entries:
        writer.writerow(
            [
                timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M"),
                entry.get_kind_display(),
                f"{entry.amount:.2f}",
                f"{entry.balance_after:.2f}",
                entry.reason,
            ]
        )
    writer.writerow(["", _("Closing balance"), "", f"{data.closing:.2f}", ""])
    return response
