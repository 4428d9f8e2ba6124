"""Staff pages of the address registry: browse, search, import status."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy

from lastmile.addresses import picker
from lastmile.addresses.filtersets import AddressFilter
from lastmile.addresses.models import AddressObject
from lastmile.addresses.tables import AddressTable
from lastmile.core.views import ObjectListView

FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,60}")


class AddressListView(ObjectListView):
    """Browse the tree (``?parent=<id>`` shows one node's children) or search it."""

    queryset = AddressObject.objects.select_related("parent")
    table = AddressTable
    filterset = AddressFilter
    title = gettext_lazy("address registry")
    template_name = "addresses/address_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.GET and not request.headers.get("HX-Request"):
            return HttpResponseRedirect("?level=region")
        return super().get(request)


@login_required
def address_pick(request: HttpRequest) -> HttpResponse:
    """The options of a registry picker (htmx): objects matching the typed
    text that the user may see, as radio buttons of the form's field."""
    field = request.GET.get("field", "")
    if not FIELD_NAME.fullmatch(field):
        return HttpResponseBadRequest(gettext("Unknown field."))
    query = request.GET.get(f"{field}__q", "").strip()[:200]
    visible = AddressObject.objects.restrict(request.user, "view").filter(is_active=True)
    found = picker.search(visible, query) if query else []
    return render(
        request,
        "addresses/_pick_options.html",
        {"found": found, "field": field, "query": query},
    )
