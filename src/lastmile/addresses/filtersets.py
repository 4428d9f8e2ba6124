"""Filters of the address registry list."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lastmile.addresses.lookup import clean_name
from lastmile.addresses.models import AddressObject, Level


class AddressFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("level"))
    parent = django_filters.NumberFilter(method="under", label=_("inside (id)"))

    class Meta:
        model = AddressObject
        fields = ["level", "is_active"]

    def search(
        self, queryset: QuerySet[AddressObject], name: str, value: str
    ) -> QuerySet[AddressObject]:
        for word in clean_name(value).split():
            queryset = queryset.filter(name__icontains=word)
        return queryset

    def under(
        self, queryset: QuerySet[AddressObject], name: str, value: int
    ) -> QuerySet[AddressObject]:
        return queryset.filter(parent_id=value)
