"""Staff pages of the network app (thin: every change goes through services)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lastmile.accounts.permissions import has_model_permission
from lastmile.core import notices
from lastmile.core.views import ObjectDeleteView, ObjectEditView, ObjectListView
from lastmile.network import services
from lastmile.network.errors import (
    BindingConflict,
    BindingNotAllowed,
    InvalidBinding,
    NetworkError,
)
from lastmile.network.filtersets import (
    BindingFilterSet,
    LeaseFilterSet,
    PoolFilterSet,
    SessionFilterSet,
)
from lastmile.network.forms import BindingForm, NasForm, PoolForm, StaticLeaseForm, VlanForm
from lastmile.network.models import AccessBinding, Lease, LeaseEndReason, Nas, Pool, Session, Vlan
from lastmile.network.tables import (
    BindingTable,
    LeaseTable,
    NasTable,
    PoolTable,
    SessionTable,
    VlanTable,
)


class NasListView(ObjectListView):
    template_name = "network/object_list.html"
    queryset = Nas.objects.all()
    table = NasTable
    add_url = "network:nas_add"


class NasEditView(ObjectEditView):
    queryset = Nas.objects.all()
    form = NasForm
    success_url = "network:nas_list"


class NasDeleteView(ObjectDeleteView):
    queryset = Nas.objects.all()
    success_url = "network:nas_list"


class VlanListView(ObjectListView):
    template_name = "network/object_list.html"
    queryset = Vlan.objects.all()
    table = VlanTable
    add_url = "network:vlan_add"


class VlanEditView(ObjectEditView):
    queryset = Vlan.objects.all()
    form = VlanForm
    success_url = "network:vlan_list"


class VlanDeleteView(ObjectDeleteView):
    queryset = Vlan.objects.all()
    success_url = "network:vlan_list"


class PoolListView(ObjectListView):
    template_name = "network/object_list.html"
    queryset = Pool.objects.select_related("vlan").annotate(
        active_leases=Count("leases", filter=Q(leases__ended_at__isnull=True))
    )
    table = PoolTable
    filterset = PoolFilterSet
    add_url = "network:pool_add"


class PoolEditView(ObjectEditView):
    queryset = Pool.objects.all()
    form = PoolForm
    success_url = "network:pool_list"


class PoolDeleteView(ObjectDeleteView):
    queryset = Pool.objects.all()
    success_url = "network:pool_list"


class LeaseListView(ObjectListView):
    template_name = "network/object_list.html"
    """Active leases; with ``state=all`` and an address or customer filter,
    the lease history of that address or customer."""

    queryset = Lease.objects.select_related("customer", "pool", "nas")
    table = LeaseTable
    filterset = LeaseFilterSet
    title = gettext_lazy("Leases")


class SessionListView(ObjectListView):
    template_name = "network/object_list.html"
    queryset = Session.objects.select_related("customer", "nas")
    table = SessionTable
    filterset = SessionFilterSet
    title = gettext_lazy("Sessions")


@login_required
@require_POST
def lease_end(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Delete" a lease: end it (history stays) and disconnect its session."""
    lease = get_object_or_404(Lease.objects.restrict(request.user, "change"), pk=pk)
    since = timezone.now()
    if services.end_lease(lease=lease, reason=LeaseEndReason.DELETED, actor=request.user):
        messages.success(request, _("Lease %(address)s ended.") % {"address": lease.address})
        notices.remember(
            request, notices.ACCESS_CHANGES, customer_id=lease.customer_id, since=since.isoformat()
        )
    return HttpResponseRedirect(request.POST.get("next") or reverse("network:lease_list"))


@login_required
@require_POST
def session_disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a Disconnect: a job sends it; the page does not wait for the NAS."""
    session = get_object_or_404(Session.objects.restrict(request.user, "change"), pk=pk)
    since = timezone.now()
    services.request_disconnect(session=session)
    messages.success(
        request,
        _("Disconnect of session %(session)s requested.") % {"session": session.acct_session_id},
    )
    notices.remember(
        request, notices.ACCESS_CHANGES, customer_id=session.customer_id, since=since.isoformat()
    )
    return HttpResponseRedirect(request.POST.get("next") or reverse("network:session_list"))


@login_required
def static_lease_add(request: HttpRequest) -> HttpResponse:
    from lastmile.customers.models import Customer

    if not has_model_permission(request.user, Lease, "add"):
        raise PermissionDenied
    form = StaticLeaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        customers: QuerySet[Customer] = Customer.objects.restrict(request.user, "change")
        customer = customers.filter(login=form.cleaned_data["login"]).first()
        if customer is None:
            form.add_error("login", _("No such customer."))
        else:
            try:
                lease = services.assign_static(
                    customer=customer,
                    address=form.cleaned_data["address"],
                    mac=form.cleaned_data["mac"],
                    actor=request.user,
                )
            except NetworkError as exc:
                form.add_error("address", str(exc))
            else:
                messages.success(
                    request, _("Static address %(a)s assigned.") % {"a": lease.address}
                )
                return HttpResponseRedirect(
                    reverse("network:lease_list") + f"?customer_id={customer.pk}"
                )
    return render(
        request, "core/object_edit.html", {"form": form, "title": _("Assign a static address")}
    )


# --- IPoE bindings -------------------------------------------------------------------


class BindingListView(ObjectListView):
    template_name = "network/object_list.html"
    queryset = AccessBinding.objects.select_related("customer").order_by("customer__login", "id")
    table = BindingTable
    filterset = BindingFilterSet
    add_url = "network:binding_add"
    title = gettext_lazy("IPoE bindings")


def bindings_section_context(customer: Any, user: Any) -> dict[str, Any] | None:
    """The customer page's "IPoE bindings" section; left out for staff who may not see them."""
    if not has_model_permission(user, AccessBinding, "view"):
        return None
    return {
        "ipoe_bindings": list(
            AccessBinding.objects.restrict(user, "view").filter(customer=customer).order_by("id")
        ),
        "ipoe_can_add": has_model_permission(user, AccessBinding, "add"),
        "ipoe_can_change": has_model_permission(user, AccessBinding, "change"),
        "ipoe_can_delete": has_model_permission(user, AccessBinding, "delete"),
        "ipoe_form": BindingForm(initial={"login": customer.login}),
    }


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return default


@login_required
def binding_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add (no pk) or change an IPoE binding; the service validates and checks conflicts."""
    from lastmile.customers.models import Customer

    customers: QuerySet[Customer] = Customer.objects.restrict(request.user, "view")
    binding: AccessBinding | None = None
    if pk is None:
        if not has_model_permission(request.user, AccessBinding, "add"):
            raise PermissionDenied
        initial: dict[str, Any] = {}
        if request.GET.get("customer"):
            customer_id = request.GET["customer"]
            initial["login"] = get_object_or_404(
                customers, pk=int(customer_id) if customer_id.isdigit() else 0
            ).login
    else:
        binding = get_object_or_404(
            AccessBinding.objects.restrict(request.user, "change").select_related("customer"),
            pk=pk,
        )
        initial = {
            "login": binding.customer.login,
            "mac": binding.mac,
            "remote_id": binding.remote_id,
            "circuit_id": binding.circuit_id,
            "description": binding.description,
            "device_port": binding.device_port_id,
        }
    form = BindingForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = customers.filter(login=data["login"]).first()
        if customer is None:
            form.add_error("login", _("No such customer."))
        else:
            values = {k: data[k] for k in ("mac", "remote_id", "circuit_id", "description")}
            try:
                with transaction.atomic():  # the port refused: the binding is not saved either
                    if binding is None:
                        change = services.create_binding(
                            actor=request.user, customer=customer, **values
                        )
                    else:
                        change = services.update_binding(
                            actor=request.user, binding=binding, customer=customer, **values
                        )
                    services.choose_binding_device_port(
                        actor=request.user, binding=change.binding, port_id=data.get("device_port")
                    )
            except (InvalidBinding, BindingConflict) as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            except BindingNotAllowed as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("IPoE binding saved: %(b)s") % {"b": change.binding})
                if change.warning:
                    messages.warning(request, change.warning)
                return HttpResponseRedirect(
                    _next_url(
                        request,
                        reverse("customers:customer_detail", args=[customer.pk]) + "#ipoe-bindings",
                    )
                )
        messages.error(request, _("Please correct the errors below."))
    title = _("New IPoE binding") if binding is None else _("Edit IPoE binding")
    return render(request, "core/object_edit.html", {"form": form, "title": title})


@login_required
def binding_delete(request: HttpRequest, pk: int) -> HttpResponse:
    binding = get_object_or_404(
        AccessBinding.objects.restrict(request.user, "delete").select_related("customer"), pk=pk
    )
    if request.method != "POST":
        return render(request, "core/object_delete.html", {"object": binding})
    customer_id = binding.customer_id
    try:
        services.delete_binding(actor=request.user, binding=binding)
    except BindingNotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, _("IPoE binding deleted: %(b)s") % {"b": binding})
    return HttpResponseRedirect(
        _next_url(
            request, reverse("customers:customer_detail", args=[customer_id]) + "#ipoe-bindings"
        )
    )
