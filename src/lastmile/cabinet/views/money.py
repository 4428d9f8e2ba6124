"""Paying online, the payment list with receipts, period statements, and the
messages sent to the subscriber."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from lastmile.cabinet import documents, payments, queries
from lastmile.cabinet.forms import PayForm, StatementForm
from lastmile.cabinet.session import cabinet_view
from lastmile.cabinet.views.common import customer_of, paginate, redirect_home


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


@cabinet_view
def message_list(request: HttpRequest) -> HttpResponse:
    """The messages we sent the subscriber (notices of payments, tariffs, requests…)."""
    page = paginate(request, queries.messages(customer_of(request)))
    return render(request, "cabinet/messages.html", {"page": page, "title": _("Messages")})


@cabinet_view
def payment_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt of one of the customer's own payments (the cashier's receipt)."""
    payment = queries.payment_of(customer_of(request), pk)
    if payment is None:
        raise Http404
    return documents.receipt_pdf(payment, request)


def _statement_period(request: HttpRequest) -> tuple[StatementForm, date, date]:
    default_start, today = queries.default_statement_period()
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
    return documents.statement_pdf(customer, queries.statement(customer, start, end), request)


@cabinet_view
def statement_csv(request: HttpRequest) -> HttpResponse:
    """The statement as CSV (``documents.statement_csv``)."""
    customer = customer_of(request)
    _form, start, end = _statement_period(request)
    return documents.statement_csv(queries.statement(customer, start, end))
