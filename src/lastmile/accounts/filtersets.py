from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lastmile.accounts.models import AuthEvent, Site
from lastmile.core.filters import DateFilter


class SiteFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Site
        fields: list[str] = []

    def search(self, queryset: QuerySet[Site], name: str, value: str) -> QuerySet[Site]:
        return queryset.filter(
            Q(name__icontains=value) | Q(slug__icontains=value) | Q(address__icontains=value)
        )


class AuthEventFilterSet(django_filters.FilterSet):
    username = django_filters.CharFilter(lookup_expr="icontains", label=_("Username"))
    kind = django_filters.ChoiceFilter(choices=AuthEvent.Kind.choices, label=_("Event"))
    since = DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("From"))
    until = DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = AuthEvent
        fields: list[str] = []
