from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from lastmile.core.filters import DateFilter
from lastmile.finance.models import EntryKind, LedgerEntry, Payment


class LedgerFilterSet(django_filters.FilterSet):
    since = DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("From"))
    until = DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("To"))
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices, label=_("Kind"))
    customer = django_filters.CharFilter(
        field_name="account__customer__login", label=_("Customer login")
    )

    class Meta:
        model = LedgerEntry
        fields: list[str] = []


class PaymentFilterSet(django_filters.FilterSet):
    since = DateFilter(field_name="paid_at", lookup_expr="date__gte", label=_("From"))
    until = DateFilter(field_name="paid_at", lookup_expr="date__lte", label=_("To"))
    gateway = django_filters.CharFilter(label=_("Gateway"))
    state = django_filters.ChoiceFilter(choices=Payment.State.choices, label=_("State"))
    customer = django_filters.CharFilter(
        field_name="account__customer__login", label=_("Customer login")
    )
    receipt_number = django_filters.CharFilter(label=_("Receipt number"))

    class Meta:
        model = Payment
        fields: list[str] = []
