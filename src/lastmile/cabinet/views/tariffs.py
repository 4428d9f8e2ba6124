"""Tariffs: buy now, pre-order the next one, auto-renew, a promised payment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lastmile.cabinet import services
from lastmile.cabinet.session import cabinet_view
from lastmile.cabinet.views.common import customer_of, redirect_home
from lastmile.core.errors import DomainError
from lastmile.core.views import message_error
from lastmile.customers.models import Customer
from lastmile.subscriptions import promised
from lastmile.subscriptions import services as subscriptions
from lastmile.subscriptions.models import Tariff


@cabinet_view
def tariffs(request: HttpRequest) -> HttpResponse:
    customer = customer_of(request)
    context = {
        "tariffs": subscriptions.purchasable_tariffs(customer),
        "current": subscriptions.current_subscription(customer.pk),
        "preorder": subscriptions.pending_preorder(customer.pk),
        "title": _("Tariffs"),
    }
    return render(request, "cabinet/tariffs.html", context)


def _tariff(customer: Customer, pk: int) -> Tariff:
    """Only a tariff this customer may buy; any other id is "not found"."""
    return get_object_or_404(subscriptions.purchasable_tariffs(customer), pk=pk)


def _confirm(
    request: HttpRequest, customer: Customer, tariff: Tariff, action: Callable[..., Any], done: str
) -> str | None:
    """On POST, ``action`` (buy or pre-order) for the customer; None once done
    (with ``done`` as the success message), else the error to show ('' on GET)."""
    if request.method != "POST":
        return ""
    try:
        action(
            customer=customer,
            tariff=tariff,
            actor_label=services.actor_label(customer),
            auto_renew=request.POST.get("auto_renew") == "1",
        )
    except DomainError as exc:
        return str(exc)
    messages.success(request, done)
    return None


@cabinet_view
def buy(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview the charge and refund of buying a tariff now, then confirm."""
    customer = customer_of(request)
    tariff = _tariff(customer, pk)
    done = _("Tariff “%(tariff)s” is active.") % {"tariff": tariff}
    error = _confirm(request, customer, tariff, subscriptions.buy_tariff, done)
    if error is None:
        return redirect_home()
    preview = subscriptions.preview_purchase(customer=customer, tariff=tariff)
    return render(
        request,
        "cabinet/buy.html",
        {"tariff": tariff, "preview": preview, "error": error, "title": _("Buy a tariff")},
    )


@cabinet_view
def preorder(request: HttpRequest, pk: int) -> HttpResponse:
    """Order the next tariff to start when the current period ends."""
    customer = customer_of(request)
    tariff = _tariff(customer, pk)
    done = _("Pre-order saved; it starts when the current one ends.")
    error = _confirm(request, customer, tariff, subscriptions.preorder_tariff, done)
    if error is None:
        return redirect_home()
    context = {
        "tariff": tariff,
        "current": subscriptions.current_subscription(customer.pk),
        "error": error,
        "title": _("Pre-order a tariff"),
    }
    return render(request, "cabinet/preorder.html", context)


@require_POST
@cabinet_view
def cancel_preorder(request: HttpRequest) -> HttpResponse:
    customer = customer_of(request)
    waiting = subscriptions.pending_preorder(customer.pk)
    if waiting is None:
        raise Http404
    subscriptions.terminate_subscription(
        subscription=waiting, actor_label=services.actor_label(customer)
    )
    messages.success(request, _("Pre-order cancelled."))
    return redirect_home()


@require_POST
@cabinet_view
def auto_renew(request: HttpRequest) -> HttpResponse:
    customer = customer_of(request)
    current = subscriptions.current_subscription(customer.pk)
    if current is None:
        raise Http404
    subscriptions.set_auto_renew(
        subscription=current, auto_renew=request.POST.get("auto_renew") == "1"
    )
    messages.success(
        request,
        _("Auto-renew switched on.") if current.auto_renew else _("Auto-renew switched off."),
    )
    return redirect_home()


@require_POST
@cabinet_view
def promised_payment(request: HttpRequest) -> HttpResponse:
    customer = customer_of(request)
    try:
        account = promised.take_promised_payment(customer_id=customer.pk)
    except DomainError as exc:
        message_error(request, exc)
    else:
        messages.success(
            request,
            _("Promised payment of %(amount)s granted.") % {"amount": account.credit_limit},
        )
    return redirect_home()
