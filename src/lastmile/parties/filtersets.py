"""Filters of the parties lists."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lastmile.parties.models import AddressReview, LegalEntity, ReviewReason


class LegalEntityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = LegalEntity
        fields = ["kind", "is_active"]

    def search(
        self, queryset: QuerySet[LegalEntity], name: str, value: str
    ) -> QuerySet[LegalEntity]:
        value = value.strip()
        return queryset.filter(
            Q(short_name__icontains=value) | Q(full_name__icontains=value) | Q(inn=value)
        )


class AddressReviewFilter(django_filters.FilterSet):
    reason = django_filters.ChoiceFilter(choices=ReviewReason.choices, label=_("reason"))
    is_resolved = django_filters.BooleanFilter(label=_("resolved"))

    class Meta:
        model = AddressReview
        fields = ["reason", "is_resolved"]
