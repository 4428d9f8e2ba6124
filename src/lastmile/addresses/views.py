"""Staff pages of the address registry: browse, search, add and change
objects (through ``addresses.services``), import status."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from lastmile.accounts.permissions import has_model_permission
from lastmile.addresses import picker, services
from lastmile.addresses.errors import AddressError
from lastmile.addresses.filtersets import AddressFilter
from lastmile.addresses.forms import AddressObjectForm
from lastmile.addresses.models import AddressObject
from lastmile.addresses.tables import AddressTable
from lastmile.core.views import ObjectListView, form_error

FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,60}")


class AddressListView(ObjectListView):
    """Browse the tree (``?parent=<id>`` shows one node's children) or search it."""

    queryset = AddressObject.objects.select_related("parent")
    table = AddressTable
    filterset = AddressFilter
    title = gettext_lazy("address registry")
    template_name = "addresses/address_list.html"
    add_url = "addresses:add"

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.GET and not request.headers.get("HX-Request"):
            return HttpResponseRedirect("?level=region")
        return super().get(request)


@login_required
def address_pick(request: HttpRequest) -> HttpResponse:
    """The options of a registry picker (htmx): objects matching the typed
    text that the user may see, as radio buttons of the form's field.  The
    form's current object (``current``) is listed first and stays chosen
    until the user picks another option."""
    field = request.GET.get("field", "")
    if not FIELD_NAME.fullmatch(field):
        return HttpResponseBadRequest(gettext("Unknown field."))
    levels = picker.SCOPES.get(request.GET.get("scope", ""))
    if levels is None:
        return HttpResponseBadRequest(gettext("Unknown field."))
    query = request.GET.get(f"{field}__q", "").strip()[:200]
    visible = AddressObject.objects.restrict(request.user, "view").filter(is_active=True)
    found = picker.search(visible, query, levels) if query else []
    current_id = request.GET.get("current", "")
    current = visible.filter(pk=int(current_id)).first() if current_id.isdigit() else None
    if current is not None:
        found = [current, *(obj for obj in found if obj.pk != current.pk)]
    return render(
        request,
        "addresses/_pick_options.html",
        {"found": found, "field": field, "query": query, "current": current},
    )


@login_required
def address_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add (``?parent=<id>`` preselects the parent) or change a registry object."""
    if pk is None:
        if not has_model_permission(request.user, AddressObject, "add"):
            raise PermissionDenied
        obj = AddressObject()
        parent_id = request.GET.get("parent", "")
        if parent_id.isdigit():
            obj.parent = (
                AddressObject.objects.restrict(request.user, "view")
                .filter(pk=int(parent_id))
                .first()
            )
    else:
        obj = get_object_or_404(AddressObject.objects.restrict(request.user, "change"), pk=pk)
    form = AddressObjectForm(request.POST or None, instance=obj, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if pk is None:
                obj = services.create_address_object(**form.cleaned_data, actor=request.user)
            else:
                services.update_address_object(
                    address_object=obj, changes=form.cleaned_data, actor=request.user
                )
        except AddressError as exc:
            form_error(form, exc)
        else:
            messages.success(request, gettext("Saved: %(object)s") % {"object": obj})
            return HttpResponseRedirect(f"{reverse('addresses:address_list')}?parent={obj.pk}")
    if request.method == "POST":
        messages.error(request, gettext("Please correct the errors below."))
    if pk is None:
        title = gettext("New address object")
    else:
        title = gettext("Edit %(object)s") % {"object": obj.full_name()}
    context = {
        "form": form,
        "object": obj if pk else None,
        "title": title,
        "lacks_code": pk is not None and services.needs_type_code(obj.level) and not obj.type_code,
    }
    return render(request, "addresses/address_edit.html", context)
