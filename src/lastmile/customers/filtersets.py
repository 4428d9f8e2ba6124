"""Filters of the staff lists; the REST API list uses the same filter set."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
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


def _visible_tariffs(request: Any) -> QuerySet[Any]:
    from lastmile.subscriptions.models import Tariff

    if request is None:
        return Tariff.objects.none()
    return Tariff.objects.restrict(request.user, "view").order_by("name")


_ACTIVE_CHOICES = [("true", _("active")), ("false", _("blocked"))]
_YES_NO = [("true", _("yes")), ("false", _("no"))]


def _active_subscriptions() -> QuerySet[Any]:
    from lastmile.subscriptions.models import Subscription, SubscriptionState

    return Subscription.objects.filter(customer=OuterRef("pk"), state=SubscriptionState.ACTIVE)


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
    tariff = django_filters.ModelChoiceFilter(
        queryset=_visible_tariffs, method="filter_tariff", label=_("Tariff")
    )
    negative_balance = django_filters.ChoiceFilter(
        choices=_YES_NO,
        method="filter_negative_balance",
        label=_("Negative balance"),
        empty_label=_("any"),
    )
    online = django_filters.ChoiceFilter(
        choices=_YES_NO, method="filter_online", label=_("Online"), empty_label=_("any")
    )
    ending_days = django_filters.NumberFilter(
        method="filter_ending",
        label=_("Paid until within (days)"),
        min_value=0,
        max_value=3650,
        widget=forms.NumberInput(attrs={"min": 0, "max": 3650, "step": 1}),
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

    def filter_tariff(
        self, queryset: QuerySet[Customer], name: str, value: Any
    ) -> QuerySet[Customer]:
        if value is None:
            return queryset
        return queryset.filter(Exists(_active_subscriptions().filter(tariff=value)))

    def filter_negative_balance(
        self, queryset: QuerySet[Customer], name: str, value: str
    ) -> QuerySet[Customer]:
        from lastmile.finance.models import Account

        debtor = Exists(Account.objects.filter(customer=OuterRef("pk"), balance__lt=0))
        return queryset.filter(debtor if value == "true" else ~debtor)

    def filter_online(
        self, queryset: QuerySet[Customer], name: str, value: str
    ) -> QuerySet[Customer]:
        from lastmile.network.models import Session

        online = Exists(Session.objects.filter(customer=OuterRef("pk"), stopped_at__isnull=True))
        return queryset.filter(online if value == "true" else ~online)

    def filter_ending(
        self, queryset: QuerySet[Customer], name: str, value: Any
    ) -> QuerySet[Customer]:
        """Active subscriptions whose paid period ends between now and N days on."""
        if value is None:
            return queryset
        now = timezone.now()
        until = now + timedelta(days=int(value))
        ending = _active_subscriptions().filter(period_end__gte=now, period_end__lte=until)
        return queryset.filter(Exists(ending))


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
