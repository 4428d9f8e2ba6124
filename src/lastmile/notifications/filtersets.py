from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lastmile.core.filters import DateTimeBoundFilter
from lastmile.notifications.events import EVENT_CHOICES
from lastmile.notifications.models import Channel, NotificationTemplate, Outbox


class OutboxFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Recipient or key"))
    state = django_filters.MultipleChoiceFilter(choices=Outbox.State.choices, label=_("State"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    event = django_filters.ChoiceFilter(choices=EVENT_CHOICES, label=_("Event"))
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("Customer id"))
    created_after = DateTimeBoundFilter(
        field_name="created_at", bound="start", label=_("Created after")
    )
    created_before = DateTimeBoundFilter(
        field_name="created_at", bound="end", label=_("Created before")
    )

    class Meta:
        model = Outbox
        fields: list[str] = []

    def search(self, queryset: QuerySet[Outbox], name: str, value: str) -> QuerySet[Outbox]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(recipient__icontains=value) | Q(dedup_key__icontains=value))


class TemplateFilterSet(django_filters.FilterSet):
    event = django_filters.ChoiceFilter(choices=EVENT_CHOICES, label=_("Event"))
    language = django_filters.ChoiceFilter(
        choices=NotificationTemplate._meta.get_field("language").choices, label=_("Language")
    )

    class Meta:
        model = NotificationTemplate
        fields: list[str] = []
