"""Staff pages of the ledger: payments by a cashier, corrections, credit,
the customer's ledger, the payment log and the ledger report."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lastmile.accounts.permissions import has_model_permission, require_model_permission
from lastmile.core.errors import DomainError
from lastmile.core.views import ObjectListView, filtered, form_error
from lastmile.customers.models import Customer
from lastmile.finance import keys, services
from lastmile.finance.cashier import payment_context
from lastmile.finance.filtersets import LedgerFilterSet, PaymentFilterSet
from lastmile.finance.forms import CorrectionForm, CreditForm, PaymentForm
from lastmile.finance.models import Account, EntryKind, LedgerEntry, Payment
from lastmile.finance.money import configured_maximum
from lastmile.finance.tables import CustomerLedgerTable, LedgerTable, PaymentTable


def _customer(request: HttpRequest, pk: int) -> Customer:
    return get_object_or_404(Customer.objects.restrict(request.user, "view"), pk=pk)


def customer_money_context(customer: Customer, user: Any) -> dict[str, Any]:
    """Variables of the money section on the customer page."""
    account = Account.objects.filter(pk=customer.pk).first() or Account(customer=customer)
    entries = (
        LedgerEntry.objects.restrict(user, "view")
        .filter(account_id=customer.pk)
        .select_related("actor")
        .order_by("-id")[:10]
    )
    return {
        "money_account": account,
        "money_available": services.available_funds(account),
        "money_entries": entries,
        "money_can_pay": has_model_permission(user, Payment, "add"),
        "money_can_correct": has_model_permission(user, LedgerEntry, "add"),
        "money_can_credit": has_model_permission(user, Account, "change"),
    }


@login_required
def payment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The cashier's payment form: the customer's money context, a method, the
    configured maximum; the form's key makes a double submit one payment."""
    customer = _customer(request, pk)
    require_model_permission(request.user, Payment, "add")
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.record_payment(
                customer_id=customer.pk,
                amount=data["amount"],
                gateway=data["method"],
                external_id=keys.desk_payment_external_id(data["idempotency_key"]),
                receipt_number=data["receipt_number"],
                comment=data["comment"],
                actor=request.user,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            if result.created:
                messages.success(
                    request,
                    _("Payment of %(amount)s recorded.") % {"amount": result.payment.amount},
                )
            else:
                messages.info(request, _("This payment was already recorded; nothing was added."))
            return HttpResponseRedirect(reverse("finance:payment_detail", args=[result.payment.pk]))
    return render(
        request,
        "finance/cashier_payment_form.html",
        {
            "customer": customer,
            "form": form,
            "title": _("Accept payment"),
            "money": payment_context(customer.pk),
            "maximum": configured_maximum(),
        },
    )


@login_required
def correction_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    require_model_permission(request.user, LedgerEntry, "add")
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_balance(
                customer_id=customer.pk,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Correction recorded."))
            return HttpResponseRedirect(reverse("customers:customer_detail", args=[customer.pk]))
    return render(
        request,
        "finance/payment_form.html",
        {"customer": customer, "form": form, "title": _("Balance correction")},
    )


@login_required
def credit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    require_model_permission(request.user, Account, "change")
    account = Account.objects.filter(pk=customer.pk).first() or Account(customer=customer)
    form = CreditForm(
        request.POST or None,
        initial={"credit_limit": account.credit_limit, "credit_until": account.credit_until},
    )
    if request.method == "POST" and form.is_valid():
        services.set_credit(
            customer_id=customer.pk,
            limit=form.cleaned_data["credit_limit"],
            until=form.cleaned_data["credit_until"],
            actor=request.user,
        )
        messages.success(request, _("Credit limit saved."))
        return HttpResponseRedirect(reverse("customers:customer_detail", args=[customer.pk]))
    return render(
        request,
        "finance/payment_form.html",
        {"customer": customer, "form": form, "title": _("Credit limit")},
    )


@login_required
def customer_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    require_model_permission(request.user, LedgerEntry, "view")
    queryset = (
        LedgerEntry.objects.restrict(request.user, "view")
        .filter(account_id=customer.pk)
        .select_related("actor")
    )
    filterset = LedgerFilterSet(request.GET, queryset=queryset)
    table = CustomerLedgerTable(filtered(filterset))
    tables.RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "core/object_list.html",
        {
            "title": _("Ledger of %(customer)s") % {"customer": customer},
            "table": table,
            "filter": filterset,
        },
    )


class PaymentListView(ObjectListView):
    queryset = Payment.objects.select_related("account__customer", "actor")
    table = PaymentTable
    filterset = PaymentFilterSet
    title = gettext_lazy("Payments")


@login_required
def ledger_report(request: HttpRequest) -> HttpResponse:
    """Entries by period and kind, with totals per kind (server-side paging)."""
    require_model_permission(request.user, LedgerEntry, "view")
    queryset = LedgerEntry.objects.restrict(request.user, "view").select_related(
        "account__customer", "actor"
    )
    filterset = LedgerFilterSet(request.GET, queryset=queryset)
    sums = (
        filtered(filterset)
        .order_by()
        .values("kind")
        .annotate(count=Count("id"), total=Sum("amount"))
        .order_by("kind")
    )
    labels = dict(EntryKind.choices)
    totals = [{**row, "label": labels.get(row["kind"], row["kind"])} for row in sums]
    table = LedgerTable(filtered(filterset))
    tables.RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "finance/ledger_report.html",
        {"title": _("Ledger report"), "table": table, "filter": filterset, "totals": totals},
    )
