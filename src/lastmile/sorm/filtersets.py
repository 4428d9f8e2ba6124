from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lastmile.core.filters import DateTimeBoundFilter
from lastmile.sorm.filetypes import FILE_TYPES
from lastmile.sorm.models import DataGap, ExportRun, GapKind, RunKind, RunState

FILE_TYPE_CHOICES = [(ft.code, ft.title) for ft in FILE_TYPES]


class ExportRunFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=RunKind.choices, label=_("Kind"))
    state = django_filters.ChoiceFilter(choices=RunState.choices, label=_("State"))
    # Date pickers that take what the table shows (a local date or date-time).
    started_after = DateTimeBoundFilter(
        field_name="started_at", bound="start", label=_("Started from")
    )
    started_before = DateTimeBoundFilter(
        field_name="started_at", bound="end", label=_("Started until")
    )

    class Meta:
        model = ExportRun
        fields: list[str] = []


class DataGapFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Login or details"))
    kind = django_filters.MultipleChoiceFilter(choices=GapKind.choices, label=_("Problem"))
    file_type = django_filters.ChoiceFilter(choices=FILE_TYPE_CHOICES, label=_("File type"))

    class Meta:
        model = DataGap
        fields: list[str] = []

    def search(self, queryset: QuerySet[DataGap], name: str, value: str) -> QuerySet[DataGap]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(customer__login__icontains=value) | Q(message__icontains=value))
