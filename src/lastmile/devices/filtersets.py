from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lastmile.devices.models import Device, DeviceAction, Onu, Outcome, Status


def _driver_choices() -> list[tuple[str, str]]:
    from lastmile.devices.services import driver_choices

    return driver_choices()


class DeviceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"))
    driver = django_filters.ChoiceFilter(choices=_driver_choices, label=_("Type"))

    class Meta:
        model = Device
        fields = ["group"]

    def search(self, queryset: QuerySet[Device], name: str, value: str) -> QuerySet[Device]:
        condition = Q(name__icontains=value) | Q(address__icontains=value) | Q(mac__icontains=value)
        if value.replace(".", "").isdigit() or ":" in value:
            condition |= Q(ip__startswith=value)
        return queryset.filter(condition)


class DeviceActionFilterSet(django_filters.FilterSet):
    device = django_filters.CharFilter(field_name="device_name", label=_("Device"))
    actor = django_filters.CharFilter(field_name="actor_name", label=_("Who"))
    operation = django_filters.CharFilter(label=_("Operation"))
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices, label=_("Result"))

    class Meta:
        model = DeviceAction
        fields: list[str] = []


class OnuFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    olt = django_filters.ModelChoiceFilter(
        queryset=Device.objects.filter(onu_rows__isnull=False).distinct(), label=_("OLT")
    )
    fiber = django_filters.CharFilter(lookup_expr="icontains", label=_("Fiber"))
    is_present = django_filters.BooleanFilter(label=_("On the OLT"))
    weak = django_filters.NumberFilter(
        field_name="rx_dbm", lookup_expr="lte", label=_("Signal at most, dBm")
    )

    class Meta:
        model = Onu
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the OLTs of the ONUs the user may see (the list's restricted queryset).
        self.filters["olt"].queryset = Device.objects.filter(
            pk__in=self.queryset.values("olt_id")
        ).order_by("name")

    def search(self, queryset: QuerySet[Onu], name: str, value: str) -> QuerySet[Onu]:
        return queryset.filter(
            Q(serial__icontains=value) | Q(name__icontains=value) | Q(mac__icontains=value)
            | Q(description__icontains=value)
        )  # fmt: skip
