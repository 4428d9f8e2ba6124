"""Filters of the contract list."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lastmile.contracts.models import Contract


class ContractFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Contract
        fields = ["kind", "state"]

    def search(self, queryset: QuerySet[Contract], name: str, value: str) -> QuerySet[Contract]:
        value = value.strip()
        return queryset.filter(
            Q(number__icontains=value)
            | Q(customer__login__icontains=value)
            | Q(legal_entity__short_name__icontains=value)
        )
