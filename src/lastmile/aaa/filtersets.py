"""Filters of the aaa staff lists."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from lastmile.aaa.models import REASON_CHOICES, AccessChange, NasAttempt
from lastmile.network.models import CoaResult


class AccessChangeFilterSet(django_filters.FilterSet):
    login = django_filters.CharFilter(
        field_name="customer__login", lookup_expr="icontains", label=_("Login")
    )
    customer_id = django_filters.NumberFilter(field_name="customer_id", label=_("Customer ID"))
    reason = django_filters.ChoiceFilter(choices=REASON_CHOICES, label=_("Reason"))
    state = django_filters.ChoiceFilter(choices=AccessChange.State.choices, label=_("State"))

    class Meta:
        model = AccessChange
        fields: list[str] = []


class NasAttemptFilterSet(django_filters.FilterSet):
    login = django_filters.CharFilter(
        field_name="customer__login", lookup_expr="icontains", label=_("Login")
    )
    customer_id = django_filters.NumberFilter(field_name="customer_id", label=_("Customer ID"))
    change = django_filters.NumberFilter(field_name="change_id", label=_("Access change"))
    kind = django_filters.ChoiceFilter(choices=NasAttempt.Kind.choices, label=_("Request"))
    result = django_filters.ChoiceFilter(choices=CoaResult.choices, label=_("Answer"))

    class Meta:
        model = NasAttempt
        fields: list[str] = []
