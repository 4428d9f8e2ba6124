"""Staff pages of the aaa app: what was asked of the NAS and what it answered."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from lastmile.aaa.filtersets import AccessChangeFilterSet, NasAttemptFilterSet
from lastmile.aaa.models import AccessChange, NasAttempt
from lastmile.aaa.tables import AccessChangeTable, NasAttemptTable
from lastmile.accounts.permissions import has_model_permission
from lastmile.core.views import ObjectListView


class AccessChangeListView(ObjectListView):
    template_name = "network/object_list.html"
    queryset = AccessChange.objects.select_related("customer").prefetch_related(
        Prefetch("attempts", NasAttempt.objects.select_related("nas").order_by("sent_at", "pk"))
    )
    table = AccessChangeTable
    filterset = AccessChangeFilterSet


class NasAttemptListView(ObjectListView):
    template_name = "network/object_list.html"
    queryset = NasAttempt.objects.select_related("customer", "nas", "change")
    table = NasAttemptTable
    filterset = NasAttemptFilterSet


def customer_access_context(customer: Any, user: Any) -> dict[str, Any] | None:
    """The customer page's section: the last access changes and their requests."""
    if not has_model_permission(user, AccessChange, "view"):
        return None
    changes = list(
        AccessChange.objects.restrict(user, "view")
        .filter(customer=customer)
        .prefetch_related(
            Prefetch("attempts", NasAttempt.objects.select_related("nas").order_by("sent_at", "pk"))
        )
        .order_by("-requested_at", "-id")[:10]
    )
    return {"access_changes": changes}
