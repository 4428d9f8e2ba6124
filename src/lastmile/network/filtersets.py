from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lastmile.network.models import (
    AccessBinding,
    Lease,
    Nas,
    Pool,
    PoolKind,
    Session,
    normalize_mac,
)

_STATE = [("active", _("active")), ("ended", _("ended")), ("all", _("all"))]


class PoolFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=PoolKind.choices, label=_("Kind"))

    class Meta:
        model = Pool
        fields: list[str] = []

    def search(self, queryset: QuerySet[Pool], name: str, value: str) -> QuerySet[Pool]:
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))


class LeaseFilterSet(django_filters.FilterSet):
    address = django_filters.CharFilter(label=_("Address"))
    customer = django_filters.CharFilter(field_name="customer__login", label=_("Customer login"))
    customer_id = django_filters.NumberFilter(
        field_name="customer_id", widget=None, label=_("Customer ID")
    )
    pool = django_filters.ModelChoiceFilter(queryset=Pool.objects.all(), label=_("Pool"))
    state = django_filters.ChoiceFilter(
        choices=_STATE, method="by_state", label=_("State"), empty_label=None
    )

    class Meta:
        model = Lease
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        if data is not None and not data.get("state"):
            data = data.copy()
            data["state"] = "active"
        super().__init__(data, *args, **kwargs)

    def by_state(self, queryset: QuerySet[Lease], name: str, value: str) -> QuerySet[Lease]:
        if value == "active":
            return queryset.filter(ended_at__isnull=True)
        if value == "ended":
            return queryset.filter(ended_at__isnull=False)
        return queryset


class SessionFilterSet(django_filters.FilterSet):
    login = django_filters.CharFilter(lookup_expr="icontains", label=_("Login"))
    address = django_filters.CharFilter(label=_("Address"))
    nas = django_filters.ModelChoiceFilter(queryset=Nas.objects.all(), label=_("NAS"))
    customer_id = django_filters.NumberFilter(field_name="customer_id", label=_("Customer ID"))
    is_open = django_filters.BooleanFilter(
        field_name="stopped_at", lookup_expr="isnull", label=_("Online")
    )

    class Meta:
        model = Session
        fields: list[str] = []


class BindingFilterSet(django_filters.FilterSet):
    login = django_filters.CharFilter(
        field_name="customer__login", lookup_expr="icontains", label=_("Login")
    )
    mac = django_filters.CharFilter(method="by_mac", label=_("MAC"))
    switch = django_filters.CharFilter(method="by_switch", label=_("Switch"))
    customer_id = django_filters.NumberFilter(field_name="customer_id", label=_("Customer ID"))

    class Meta:
        model = AccessBinding
        fields: list[str] = []

    def by_mac(
        self, queryset: QuerySet[AccessBinding], name: str, value: str
    ) -> QuerySet[AccessBinding]:
        mac = normalize_mac(value)
        return queryset.filter(mac=mac) if mac else queryset.filter(mac__icontains=value.strip())

    def by_switch(
        self, queryset: QuerySet[AccessBinding], name: str, value: str
    ) -> QuerySet[AccessBinding]:
        """The remote id as typed, or the parsed switch (a MAC, a name)."""
        value = value.strip()
        return queryset.filter(Q(remote_id__icontains=value) | Q(port_switch__icontains=value))
