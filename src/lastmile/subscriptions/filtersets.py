from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from lastmile.subscriptions.models import Tariff


class TariffFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("Name"))
    is_active = django_filters.BooleanFilter(label=_("On sale"))

    class Meta:
        model = Tariff
        fields: list[str] = []
