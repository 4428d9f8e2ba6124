"""Bulk actions on the staff customer list: block, unblock, change tariff
(and "send a message", in ``bulk_message``).

Two steps: the list posts the selected ids here, this page shows what will
happen and asks for a reason (block/unblock) or a tariff; the confirmed
post runs the single-customer services in one transaction.  If any selected
customer is outside what the user may change, the whole batch is refused
and nothing is changed (a list of ids is user input, not a scope).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lastmile.customers import services
from lastmile.customers.errors import CustomersError
from lastmile.customers.models import Customer
from lastmile.subscriptions.models import Tariff

MAX_BATCH = 1000


class BulkError(Exception):
    """The batch cannot run as asked; nothing was changed."""


class BulkActionForm(forms.Form):
    ACTIONS = [
        ("block", gettext_lazy("Block")),
        ("unblock", gettext_lazy("Unblock")),
        ("tariff", gettext_lazy("Change tariff")),
    ]
    action = forms.ChoiceField(choices=ACTIONS, label=gettext_lazy("Action"))
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=200, required=False, strip=True
    )
    tariff: forms.ModelChoiceField[Tariff] = forms.ModelChoiceField(
        queryset=None, required=False, label=gettext_lazy("New tariff")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:

        super().__init__(*args, **kwargs)
        self.fields["tariff"].queryset = Tariff.objects.restrict(user, "view").order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action in ("block", "unblock") and not data.get("reason"):
            self.add_error("reason", _("Give a reason: it is kept with the change."))
        if action == "tariff" and not data.get("tariff"):
            self.add_error("tariff", _("Choose the new tariff."))
        return data


def selected_ids(request: HttpRequest) -> list[int]:
    """The ``select`` checkboxes as ids; anything else is a clear error."""
    raw = request.POST.getlist("select")
    try:
        ids = sorted({int(value) for value in raw})
    except ValueError as exc:
        raise BulkError(_("The selection is not valid.")) from exc
    if not ids:
        raise BulkError(_("Select at least one customer."))
    if len(ids) > MAX_BATCH:
        raise BulkError(_("Select at most %(count)d customers at once.") % {"count": MAX_BATCH})
    return ids


def customers_in_scope(user: Any, ids: list[int]) -> list[Customer]:
    """All the selected customers, or BulkError if any is not the user's to change."""
    found = list(
        Customer.objects.restrict(user, "change").filter(pk__in=ids).order_by("pk")  # type: ignore[attr-defined]
    )
    if len(found) != len(ids):
        raise BulkError(
            _(
                "%(count)d of the selected customers are outside what you may change; "
                "nothing was changed."
            )
            % {"count": len(ids) - len(found)}
        )
    return found


def run_bulk_action(*, user: Any, customers: list[Customer], data: dict[str, Any]) -> int:
    """Run the action on every customer in one transaction; return how many changed."""
    from lastmile.finance.errors import FinanceError
    from lastmile.subscriptions import services as subscriptions
    from lastmile.subscriptions.errors import SubscriptionError

    changed = 0
    action = data["action"]
    try:
        with transaction.atomic():
            for customer in customers:
                if action == "block":
                    changed += services.deactivate_customer(
                        customer=customer, actor=user, reason=data["reason"]
                    )
                elif action == "unblock":
                    changed += services.activate_customer(
                        customer=customer, actor=user, reason=data["reason"]
                    )
                else:
                    subscriptions.buy_tariff(customer=customer, tariff=data["tariff"], actor=user)
                    changed += 1
    except (CustomersError, SubscriptionError, FinanceError) as exc:
        raise BulkError(
            _("%(customer)s: %(error)s Nothing was changed.") % {"customer": customer, "error": exc}
        ) from exc
    return changed


@login_required
@require_POST
def customer_bulk(request: HttpRequest) -> HttpResponse:
    if request.POST.get("action") == "message":
        from lastmile.customers.bulk_message import bulk_message

        return bulk_message(request)
    back = reverse("customers:customer_list")
    try:
        ids = selected_ids(request)
        customers = customers_in_scope(request.user, ids)
    except BulkError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(back)
    form = BulkActionForm(request.POST, user=request.user)
    confirmed = request.POST.get("confirm") == "1"
    if confirmed and form.is_valid():
        try:
            changed = run_bulk_action(
                user=request.user, customers=customers, data=form.cleaned_data
            )
        except BulkError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Done for %(changed)d of %(count)d customers.")
                % {"changed": changed, "count": len(customers)},
            )
            return HttpResponseRedirect(back)
    elif not confirmed:
        form = BulkActionForm(initial={"action": request.POST.get("action")}, user=request.user)
    context = {"form": form, "customers": customers, "title": _("Confirm the bulk action")}
    return render(request, "customers/customer_bulk.html", context)
