"""Staff pages of the customers app.  Thin: parse a form, call one service,
render.  Every object is looked up through ``restrict(user, action)``, so an
outsider gets 404."""

from __future__ import annotations

from functools import partial
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lastmile.core import notices
from lastmile.core.errors import DomainError
from lastmile.core.views import ObjectDeleteView, ObjectEditView, ObjectListView, message_error
from lastmile.customers import services
from lastmile.customers.filtersets import CustomerFilterSet, ExtraFieldFilterSet, GroupFilterSet
from lastmile.customers.forms import (
    CustomerCreateForm,
    CustomerForm,
    ExtraFieldForm,
    ExtraValuesForm,
    GroupForm,
    PasswordsForm,
)
from lastmile.customers.models import Customer, CustomerGroup, ExtraField
from lastmile.customers.queries import (
    customer_page_context,
    extra_value_rows,
    fill_list_rows,
    with_list_order_keys,
)
from lastmile.customers.tables import CustomerTable, ExtraFieldTable, GroupTable


# --- lists -----------------------------------------------------------------------
class _FilterWithRequest(ObjectListView):
    """Give the filter set the request, so its choices (groups, sites) are
    only those the user may see."""

    filterset_class: Any

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.filterset = partial(self.filterset_class, request=request)  # type: ignore[assignment]


class CustomerListView(_FilterWithRequest):
    queryset = with_list_order_keys(Customer.objects.all())
    table = CustomerTable
    filterset_class = CustomerFilterSet
    template_name = "customers/customers.html"
    add_url = "customers:customer_add"

    def fill_rows(self, objects: list[Any]) -> list[Any]:
        return fill_list_rows(objects)


class GroupListView(_FilterWithRequest):
    queryset = CustomerGroup.objects.select_related("site")
    table = GroupTable
    filterset_class = GroupFilterSet
    template_name = "customers/customer_list.html"
    add_url = "customers:group_add"


class ExtraFieldListView(_FilterWithRequest):
    queryset = ExtraField.objects.select_related("group")
    table = ExtraFieldTable
    filterset_class = ExtraFieldFilterSet
    template_name = "customers/customer_list.html"
    add_url = "customers:extra_field_add"


# --- forms that call a service -------------------------------------------------
class CustomerEditView(ObjectEditView):
    queryset = Customer.objects.all()

    def get_form(self, request: HttpRequest, obj: Any, data: Any = None) -> forms.Form:
        form_class = CustomerForm if obj.pk else CustomerCreateForm
        return form_class(data=data, user=request.user, customer=obj)

    def save(self, request: HttpRequest, obj: Any, form: Any) -> Customer:
        if obj.pk:
            services.update_customer(customer=obj, changes=form.changes(), actor=request.user)
            return cast(Customer, obj)
        return services.create_customer(
            **form.changes(),
            pppoe_password=form.cleaned_data["pppoe_password"],
            cabinet_password=form.cleaned_data["cabinet_password"],
            actor=request.user,
        )

    def get_success_url(self, obj: Any) -> str:
        return reverse("customers:customer_detail", args=[obj.pk])


class CustomerPasswordsView(CustomerEditView):
    def get_form(self, request: HttpRequest, obj: Any, data: Any = None) -> forms.Form:
        return PasswordsForm(data=data)

    def save(self, request: HttpRequest, obj: Any, form: Any) -> Customer:
        services.set_customer_passwords(
            customer=obj,
            pppoe_password=form.cleaned_data["pppoe_password"] or None,
            cabinet_password=form.cleaned_data["cabinet_password"] or None,
            actor=request.user,
        )
        return cast(Customer, obj)

    def title(self, obj: Any) -> str:
        return _("Passwords of %(customer)s") % {"customer": obj}


class CustomerExtraValuesView(CustomerEditView):
    def get_form(self, request: HttpRequest, obj: Any, data: Any = None) -> forms.Form:
        return ExtraValuesForm(data=data, rows=extra_value_rows(obj))

    def save(self, request: HttpRequest, obj: Any, form: Any) -> Customer:
        services.set_extra_values(customer=obj, values=form.values(), actor=request.user)
        return cast(Customer, obj)

    def title(self, obj: Any) -> str:
        return _("Extra fields of %(customer)s") % {"customer": obj}


class GroupEditView(ObjectEditView):
    queryset = CustomerGroup.objects.all()

    def get_form(self, request: HttpRequest, obj: Any, data: Any = None) -> forms.Form:
        return GroupForm(data=data, user=request.user, group=obj)

    def save(self, request: HttpRequest, obj: Any, form: Any) -> CustomerGroup:
        if obj.pk:
            services.update_group(group=obj, changes=form.changes(), actor=request.user)
            return cast(CustomerGroup, obj)
        return services.create_group(**form.changes(), actor=request.user)

    def get_success_url(self, obj: Any) -> str:
        return reverse("customers:group_list")


class ExtraFieldEditView(ObjectEditView):
    queryset = ExtraField.objects.all()

    def get_form(self, request: HttpRequest, obj: Any, data: Any = None) -> forms.Form:
        return ExtraFieldForm(data=data, user=request.user, field=obj)

    def save(self, request: HttpRequest, obj: Any, form: Any) -> ExtraField:
        if obj.pk:
            services.update_extra_field(field=obj, changes=form.changes(), actor=request.user)
            return cast(ExtraField, obj)
        return services.create_extra_field(**form.changes(), actor=request.user)

    def get_success_url(self, obj: Any) -> str:
        return reverse("customers:extra_field_list")


class GroupDeleteView(ObjectDeleteView):
    queryset = CustomerGroup.objects.all()
    success_url = "customers:group_list"


class ExtraFieldDeleteView(ObjectDeleteView):
    queryset = ExtraField.objects.all()
    success_url = "customers:extra_field_list"


# --- the customer page -----------------------------------------------------------
@login_required
def customer_timeline_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything that happened to one customer, newest first, by kind."""
    from lastmile.customers.timeline import customer_timeline, timeline_kinds

    customer = get_object_or_404(Customer.objects.restrict(request.user, "view"), pk=pk)
    kinds = {k for k in request.GET.getlist("kind") if k in dict(timeline_kinds())}
    return render(
        request,
        "customers/timeline.html",
        {
            "customer": customer,
            "title": customer.login,
            "events": customer_timeline(customer, request.user, kinds=kinds or None),
            "kinds": timeline_kinds(),
            "chosen": kinds,
        },
    )


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(
        Customer.objects.restrict(request.user, "view").select_related("group", "site"), pk=pk
    )
    return render(
        request, "customers/customer_detail.html", customer_page_context(customer, request.user)
    )


@login_required
@require_POST
def customer_reveal_secret(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the PPPoE password: a deliberate, logged action of staff who may
    change the customer (a POST, never cached)."""
    customer = get_object_or_404(
        Customer.objects.restrict(request.user, "change").select_related("group", "site"), pk=pk
    )
    secret = services.reveal_pppoe_secret(customer=customer, actor=request.user)
    if request.headers.get("HX-Request"):
        response = render(request, "customers/_pppoe_secret.html", {"secret": secret})
    else:
        context = customer_page_context(customer, request.user)
        context["revealed_secret"] = secret
        response = render(request, "customers/customer_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def customer_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    customer = get_object_or_404(Customer.objects.restrict(request.user, "change"), pk=pk)
    reason = " ".join(request.POST.get("reason", "").split())[:200]
    if not active and not reason:
        # Blocking cuts the subscriber off: the log must say why (issue 16).
        messages.error(request, _("Say why the customer is blocked; nothing was changed."))
        return redirect("customers:customer_detail", pk=customer.pk)
    since = timezone.now()
    try:
        if active:
            services.activate_customer(customer=customer, actor=request.user, reason=reason)
        else:
            services.deactivate_customer(customer=customer, actor=request.user, reason=reason)
    except DomainError as exc:
        message_error(request, exc)
    else:
        messages.success(
            request,
            _("%(customer)s is active.") % {"customer": customer}
            if active
            else _("%(customer)s is blocked.") % {"customer": customer},
        )
        notices.remember(
            request, notices.ACCESS_CHANGES, customer_id=customer.pk, since=since.isoformat()
        )
    return HttpResponseRedirect(reverse("customers:customer_detail", args=[customer.pk]))
