"""Staff pages of the address registry: browse, search, import status."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy

from lastmile.addresses.filtersets import AddressFilter
from lastmile.addresses.models import AddressObject
from lastmile.addresses.tables import AddressTable
from lastmile.core.views import ObjectListView


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
