"""Filters of the staff lists; the REST API list uses the same filter set."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lastmile.accounts.models import Site
from lastmile.customers.models import Customer, CustomerGroup, ExtraField
from lastmile.customers.queries import search_customers


def _visible_groups(request: Any) -> QuerySet[CustomerGroup]:
    if request is None:
        return CustomerGroup.objects.none()
    return CustomerGroup.objects.restrict(request.user, "view")


def _visible_sites(request: Any) -> QuerySet[Site]:
    if request is None:
        return Site.objects.none()
    return Site.objects.restrict(request.user, "view")


_ACTIVE_CHOICES = [("true", _("active")), ("false", _("inactive"))]


class CustomerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("login, contract, name, phone, address")}
        ),
    )
    group = django_filters.ModelChoiceFilter(queryset=_visible_groups, label=_("Group"))
    site = django_filters.ModelChoiceFilter(queryset=_visible_sites, label=_("Site"))
    is_active = django_filters.ChoiceFilter(
        choices=_ACTIVE_CHOICES, method="filter_active", label=_("Status"), empty_label=_("any")
    )

    class Meta:
        model = Customer
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not settings.LASTMILE.sites_enabled:
            del self.filters["site"]

    def search(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return search_customers(queryset, value)

    def filter_active(
        self, queryset: QuerySet[Customer], name: str, value: str
    ) -> QuerySet[Customer]:
        return queryset.filter(is_active=value == "true")


class GroupFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))

    class Meta:
        model = CustomerGroup
        fields: list[str] = []


class ExtraFieldFilterSet(django_filters.FilterSet):
    group = django_filters.ModelChoiceFilter(queryset=_visible_groups, label=_("Customer group"))
    kind = django_filters.ChoiceFilter(choices=ExtraField.Kind.choices, label=_("Type"))

    class Meta:
        model = ExtraField
        fields: list[str] = []
