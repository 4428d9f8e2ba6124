"""Tables of the aaa staff pages: access changes and the NAS requests sent for them."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from lastmile.aaa.models import AccessChange, NasAttempt


class AccessChangeTable(tables.Table):
    customer = tables.LinkColumn(
        "customers:customer_detail", args=[tables.A("customer_id")], accessor="customer__login",
        verbose_name=_("Customer"),
    )  # fmt: skip
    answers = tables.TemplateColumn(
        template_name="aaa/_change_attempts.html",
        verbose_name=_("Requests and answers"), orderable=False,
    )  # fmt: skip
    attempts = tables.TemplateColumn(
        '{% load i18n %}<a href="{% url \'aaa:attempt_list\' %}?change={{ record.pk }}">'
        "{% translate 'requests' %}</a>",
        verbose_name="", orderable=False, exclude_from_export=True,
    )  # fmt: skip

    class Meta:
        model = AccessChange
        fields = ("requested_at", "customer", "reason", "address", "state", "tries")
        attrs = {"class": "table"}
        empty_text = _("No access changes.")


class NasAttemptTable(tables.Table):
    customer = tables.LinkColumn(
        "customers:customer_detail", args=[tables.A("customer_id")], accessor="customer__login",
        verbose_name=_("Customer"),
    )  # fmt: skip
    reason = tables.Column(accessor="change__reason", verbose_name=_("Reason"))

    class Meta:
        model = NasAttempt
        fields = (
            "sent_at", "customer", "reason", "nas", "acct_session_id", "address", "kind",
            "is_fallback", "result", "detail", "duration_ms",
        )  # fmt: skip
        attrs = {"class": "table"}
        empty_text = _("No requests sent to a NAS.")

    def render_reason(self, record: NasAttempt) -> str:
        return str(record.change.get_reason_display())
