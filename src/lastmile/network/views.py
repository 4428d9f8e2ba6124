"""Staff pages of the network app (thin: every change goes through services)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lastmile.accounts.permissions import has_model_permission
from lastmile.core.views import ObjectDeleteView, ObjectEditView, ObjectListView
from lastmile.network import services
from lastmile.network.errors import NetworkError
from lastmile.network.filtersets import LeaseFilterSet, PoolFilterSet, SessionFilterSet
from lastmile.network.forms import NasForm, PoolForm, StaticLeaseForm, VlanForm
from lastmile.network.models import Lease, LeaseEndReason, Nas, Pool, Session, Vlan
from lastmile.network.tables import LeaseTable, NasTable, PoolTable, SessionTable, VlanTable


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
    if services.end_lease(lease=lease, reason=LeaseEndReason.DELETED, actor=request.user):
        messages.success(request, _("Lease %(address)s ended.") % {"address": lease.address})
    return HttpResponseRedirect(request.POST.get("next") or reverse("network:lease_list"))


@login_required
@require_POST
def session_disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a Disconnect: a job sends it; the page does not wait for the NAS."""
    session = get_object_or_404(Session.objects.restrict(request.user, "change"), pk=pk)
    services.request_disconnect(session=session)
    messages.success(
        request,
        _(
            "Disconnect of session %(session)s requested; the NAS's answer appears in the session list."
        )
        % {"session": session.acct_session_id},
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
