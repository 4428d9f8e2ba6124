"""Staff pages of ticket kinds: the list and the generic edit page, whose
write is ``tickets.kinds.save_kind``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lastmile.core.views import ObjectEditView, ObjectListView
from lastmile.tickets.kinds import TicketKindForm, save_kind
from lastmile.tickets.models import TicketKind
from lastmile.tickets.tables import TicketKindTable


class TicketKindListView(ObjectListView):
    queryset = TicketKind.objects.select_related("default_responsible")
    table = TicketKindTable
    title = _("ticket kinds")
    add_url = "tickets:kind_add"


class TicketKindEditView(ObjectEditView):
    queryset = TicketKind.objects.all()
    form = TicketKindForm

    def save(self, request: HttpRequest, obj: Any, form: Any) -> TicketKind:
        return save_kind(actor=request.user, kind=obj, changes=form.changes())

    def get_success_url(self, obj: Any) -> str:
        return reverse("tickets:kind_list")
