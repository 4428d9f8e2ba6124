from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lastmile.accounts.models import Site, User
from lastmile.core.filters import DateTimeBoundFilter
from lastmile.tickets.models import Ticket, TicketKind, TicketState


class TicketFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    state = django_filters.MultipleChoiceFilter(choices=TicketState.choices, label=_("State"))
    kind = django_filters.ModelMultipleChoiceFilter(
        queryset=TicketKind.objects.all(), label=_("Kind")
    )
    executor = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(is_active=True),
        field_name="executors",
        label=_("Executor"),
    )
    site = django_filters.ModelChoiceFilter(queryset=Site.objects.all(), label=_("Site"))
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("Customer id"))
    mine = django_filters.BooleanFilter(method="only_mine", label=_("My tickets"))
    unassigned = django_filters.BooleanFilter(method="only_unassigned", label=_("Nobody assigned"))
    due_after = DateTimeBoundFilter(field_name="due_at", bound="start", label=_("Due after"))
    due_before = DateTimeBoundFilter(field_name="due_at", bound="end", label=_("Due before"))

    class Meta:
        model = Ticket
        fields: list[str] = []

    def search(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        value = value.strip()
        if not value:
            return queryset
        condition = Q(description__icontains=value) | Q(customer__login__iexact=value)
        if value.lstrip("#").isdigit():
            condition |= Q(pk=int(value.lstrip("#")))
        return queryset.filter(condition)

    def only_mine(self, queryset: QuerySet[Ticket], name: str, value: Any) -> QuerySet[Ticket]:
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return queryset
        return queryset.filter(Q(executors=user) | Q(responsible=user)).distinct()

    def only_unassigned(
        self, queryset: QuerySet[Ticket], name: str, value: Any
    ) -> QuerySet[Ticket]:
        if value is None:
            return queryset
        nobody = Q(responsible__isnull=True) & Q(executors__isnull=True)
        return queryset.filter(nobody if value else ~nobody).distinct()
