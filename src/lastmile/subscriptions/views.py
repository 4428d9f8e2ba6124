"""Staff pages: tariff management, and buying / changing / terminating /
pre-ordering on behalf of a customer, always with a preview first."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lastmile.accounts.permissions import has_model_permission, require_model_permission
from lastmile.core.errors import DomainError
from lastmile.core.views import (
    ObjectDeleteView,
    ObjectEditView,
    ObjectListView,
    form_error,
    message_error,
)
from lastmile.customers.models import Customer
from lastmile.subscriptions import catalogue, services
from lastmile.subscriptions.billing import run_billing
from lastmile.subscriptions.filtersets import TariffFilterSet
from lastmile.subscriptions.forms import (
    AssignFeeForm,
    ChooseTariffForm,
    OneOffServiceForm,
    PeriodicFeeForm,
    SellServiceForm,
    TariffForm,
)
from lastmile.subscriptions.models import (
    BillingRun,
    FeeAssignment,
    OneOffService,
    PeriodicFee,
    Subscription,
    Tariff,
)
from lastmile.subscriptions.periods import prorated_refund
from lastmile.subscriptions.tables import (
    BillingRunTable,
    OneOffServiceTable,
    PeriodicFeeTable,
    TariffTable,
)


# --- catalogue ---------------------------------------------------------------------------
class TariffListView(ObjectListView):
    queryset = Tariff.objects.prefetch_related("groups")
    table = TariffTable
    filterset = TariffFilterSet
    add_url = "subscriptions:tariff_add"


class TariffEditView(ObjectEditView):
    queryset = Tariff.objects.all()
    form = TariffForm
    success_url = "subscriptions:tariff_list"

    def save(self, request: HttpRequest, obj: Any, form: Any) -> Tariff:
        values = dict(form.cleaned_data)
        groups = values.pop("groups", [])
        return catalogue.save_tariff(tariff=obj, values=values, groups=groups, actor=request.user)


class TariffDeleteView(ObjectDeleteView):
    queryset = Tariff.objects.all()
    success_url = "subscriptions:tariff_list"


class FeeListView(ObjectListView):
    queryset = PeriodicFee.objects.all()
    table = PeriodicFeeTable
    add_url = "subscriptions:fee_add"


class FeeEditView(ObjectEditView):
    queryset = PeriodicFee.objects.all()
    form = PeriodicFeeForm
    success_url = "subscriptions:fee_list"


class FeeDeleteView(ObjectDeleteView):
    queryset = PeriodicFee.objects.all()
    success_url = "subscriptions:fee_list"


class ServiceListView(ObjectListView):
    queryset = OneOffService.objects.all()
    table = OneOffServiceTable
    add_url = "subscriptions:service_add"


class ServiceEditView(ObjectEditView):
    queryset = OneOffService.objects.all()
    form = OneOffServiceForm
    success_url = "subscriptions:service_list"


class ServiceDeleteView(ObjectDeleteView):
    queryset = OneOffService.objects.all()
    success_url = "subscriptions:service_list"


class BillingRunListView(ObjectListView):
    queryset = BillingRun.objects.all()
    table = BillingRunTable
    template_name = "subscriptions/billing_runs.html"


@login_required
@require_POST
def billing_run_now(request: HttpRequest) -> HttpResponse:
    if not has_model_permission(request.user, BillingRun, "add"):
        raise PermissionDenied
    run = run_billing()
    messages.success(
        request,
        _(
            "Billing run done: %(renewed)s renewed, %(expired)s ended, %(switched)s pre-orders applied, %(fees)s fees."
        )
        % {
            "renewed": run.renewed,
            "expired": run.expired,
            "switched": run.preorders_applied,
            "fees": run.fees_charged,
        },
    )
    return HttpResponseRedirect(reverse("subscriptions:billing_runs"))


# --- per customer ------------------------------------------------------------------------
def _customer(request: HttpRequest, pk: int) -> Customer:
    return get_object_or_404(Customer.objects.restrict(request.user, "view"), pk=pk)


def _back(customer: Customer) -> HttpResponse:
    return HttpResponseRedirect(reverse("customers:customer_detail", args=[customer.pk]))


def customer_subscriptions_context(customer: Customer, user: Any) -> dict[str, Any]:
    history = (
        Subscription.objects.filter(customer=customer).select_related("tariff").order_by("-id")[:10]
    )
    return {
        "subs_current": services.current_subscription(customer.pk),
        "subs_preorder": services.pending_preorder(customer.pk),
        "subs_history": history,
        "subs_fees": FeeAssignment.objects.filter(customer=customer, is_active=True).select_related(
            "fee"
        ),
        "subs_can_manage": has_model_permission(user, Subscription, "add"),
    }


@login_required
def buy(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a tariff → preview the charge and refund → confirm."""
    customer = _customer(request, pk)
    require_model_permission(request.user, Subscription, "add")
    form = ChooseTariffForm(
        request.POST or request.GET or None, tariffs=services.purchasable_tariffs(customer)
    )
    context: dict[str, Any] = {
        "customer": customer,
        "form": form,
        "title": _("Buy or change tariff"),
    }
    if form.is_bound and form.is_valid():
        tariff = form.cleaned_data["tariff"]
        if request.method == "POST" and request.POST.get("confirm") == "1":
            try:
                services.buy_tariff(
                    customer=customer,
                    tariff=tariff,
                    actor=request.user,
                    auto_renew=form.cleaned_data["auto_renew"],
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Tariff “%(tariff)s” is active.") % {"tariff": tariff})
                return _back(customer)
        context["preview"] = services.preview_purchase(customer=customer, tariff=tariff)
    return render(request, "subscriptions/buy.html", context)


@login_required
def preorder(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    require_model_permission(request.user, Subscription, "add")
    form = ChooseTariffForm(request.POST or None, tariffs=services.purchasable_tariffs(customer))
    if request.method == "POST" and form.is_valid():
        try:
            services.preorder_tariff(
                customer=customer,
                tariff=form.cleaned_data["tariff"],
                actor=request.user,
                auto_renew=form.cleaned_data["auto_renew"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Pre-order saved; it starts when the current period ends."))
            return _back(customer)
    return render(
        request,
        "subscriptions/buy.html",
        {"customer": customer, "form": form, "title": _("Pre-order")},
    )


@login_required
def terminate(request: HttpRequest, pk: int, sub_pk: int) -> HttpResponse:
    """Preview the refund, then end the subscription (or cancel a pre-order)."""
    customer = _customer(request, pk)
    require_model_permission(request.user, Subscription, "change")
    subscription = get_object_or_404(
        Subscription, pk=sub_pk, customer=customer, state__in=["active", "preordered"]
    )
    refund = None
    if subscription.state == "active" and subscription.period_start and subscription.period_end:
        refund = prorated_refund(
            subscription.price, subscription.period_start, subscription.period_end, timezone.now()
        )
    if request.method == "POST":
        try:
            done = services.terminate_subscription(subscription=subscription, actor=request.user)
        except DomainError as exc:
            message_error(request, exc)
        else:
            messages.success(
                request, _("Subscription ended; refunded %(refund)s.") % {"refund": done}
            )
        return _back(customer)
    return render(
        request,
        "subscriptions/terminate.html",
        {"customer": customer, "subscription": subscription, "refund": refund},
    )


@login_required
@require_POST
def toggle_auto_renew(request: HttpRequest, pk: int, sub_pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    require_model_permission(request.user, Subscription, "change")
    subscription = get_object_or_404(Subscription, pk=sub_pk, customer=customer)
    services.set_auto_renew(
        subscription=subscription, auto_renew=not subscription.auto_renew, actor=request.user
    )
    return _back(customer)


@login_required
def sell_service(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    require_model_permission(request.user, Subscription, "add")
    form = SellServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sell_one_off(
                customer=customer,
                service=form.cleaned_data["service"],
                actor=request.user,
                key=form.cleaned_data["idempotency_key"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Service charged."))
            return _back(customer)
    return render(
        request,
        "finance/payment_form.html",
        {"customer": customer, "form": form, "title": _("Sell a service")},
    )


@login_required
def assign_fee(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    require_model_permission(request.user, Subscription, "add")
    form = AssignFeeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.assign_fee(
            customer=customer, fee=form.cleaned_data["fee"], start=form.cleaned_data["start"]
        )
        messages.success(request, _("Periodic fee assigned."))
        return _back(customer)
    return render(
        request,
        "finance/payment_form.html",
        {"customer": customer, "form": form, "title": _("Periodic fee")},
    )


@login_required
@require_POST
def stop_fee(request: HttpRequest, pk: int, fee_pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    require_model_permission(request.user, Subscription, "change")
    services.stop_fee(assignment=get_object_or_404(FeeAssignment, pk=fee_pk, customer=customer))
    messages.success(request, _("Periodic fee stopped."))
    return _back(customer)
