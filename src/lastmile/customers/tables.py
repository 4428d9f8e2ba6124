"""Staff tables (django-tables2, paged on the server)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lastmile.core.tables import LocalDateTimeColumn, MoneyColumn
from lastmile.customers.models import Customer, CustomerGroup, ExtraField, natural_login_order
from lastmile.customers.ordering import SplitByMissingOrder
from lastmile.customers.queries import active_subscriptions


class CustomerTable(tables.Table):
    """Rows come from ``queries.with_list_columns`` (balance, tariff, paid
    until, online are annotations: one query per page)."""

    select = tables.CheckBoxColumn(
        accessor="pk",
        attrs={"th__input": {"data-select-all": "bulk-form"}, "td__input": {"form": "bulk-form"}},
        exclude_from_export=True,
    )
    login = tables.LinkColumn(
        "customers:customer_detail", args=[tables.A("pk")], order_by=natural_login_order()
    )
    # Sorted through joins, not the correlated subqueries that fill the
    # columns: a subquery in ORDER BY runs once per customer before the sort
    # (100,000 probes for one page), a join to the account (one per customer)
    # or the active subscription (at most one, by constraint) is one hash join.
    # Ties (many equal balances) by id, so that a page is the same every time.
    balance = MoneyColumn(verbose_name=_("Balance"), order_by=("account__balance", "pk"))
    tariff_name = tables.Column(
        verbose_name=_("Tariff"), order_by=("active_subscription__tariff__name", "pk")
    )
    paid_until = LocalDateTimeColumn(
        verbose_name=_("Paid until"),
        short=True,
        order_by=("active_subscription__period_end", "pk"),
    )
    is_online = tables.BooleanColumn(verbose_name=_("Online"))
    phones = tables.Column(verbose_name=_("phones"), orderable=False)
    address = tables.Column(verbose_name=_("address"), orderable=False, empty_values=())
    group = tables.Column(order_by=("group__name",))
    site = tables.Column(order_by=("site__name",))
    is_blocked = tables.BooleanColumn(verbose_name=_("Blocked"))

    class Meta:
        model = Customer
        fields = (
            "select",
            "login",
            "contract_number",
            "full_name",
            "phones",
            "address",
            "balance",
            "tariff_name",
            "paid_until",
            "is_online",
            "group",
            "site",
            "is_blocked",
        )
        sequence = fields
        attrs = {"class": "table"}
        order_by = ("login",)
        empty_text = _("No customers match.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not settings.LASTMILE.sites_enabled:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "site")
        super().__init__(*args, **kwargs)

    # Sorting by balance or paid until pages over the customers that have the
    # row and those that do not separately (``ordering.SplitByMissingOrder``);
    # the column's ``order_by`` above stays what a sort by several columns,
    # or an export of it, uses.
    def order_balance(self, queryset: Any, is_descending: bool) -> tuple[Any, bool]:
        from lastmile.finance.models import Account

        # Finding customers without an account is a scan of both tables (~50 ms);
        # accounts are one per customer at most, so equal counts (two index
        # scans, ~10 ms) say there are none.
        has_account = Exists(Account.objects.filter(customer=OuterRef("pk")))
        without_account = (
            queryset.none()
            if Customer.objects.count() == Account.objects.count()
            else queryset.filter(~has_account)
        )
        return self._split_order(
            queryset,
            is_descending,
            key="account__balance",
            present=queryset.filter(account__isnull=False),
            missing=without_account,
        )

    def order_paid_until(self, queryset: Any, is_descending: bool) -> tuple[Any, bool]:
        return self._split_order(
            queryset,
            is_descending,
            key="active_subscription__period_end",
            present=queryset.filter(active_subscription__isnull=False),
            missing=queryset.filter(~Exists(active_subscriptions())),
        )

    def _split_order(
        self,
        queryset: Any,
        is_descending: bool,
        *,
        key: str,
        present: QuerySet[Customer],
        missing: QuerySet[Customer],
    ) -> tuple[Any, bool]:
        if not isinstance(queryset, QuerySet) or len(self.order_by) != 1:
            return queryset, False  # django-tables2 sorts by the columns' order_by
        ordered = SplitByMissingOrder(
            queryset, key=key, present=present, missing=missing, descending=is_descending
        )
        return ordered, True

    def render_phones(self, value: list[str]) -> str:
        return ", ".join(value)

    # Export: words, not Python's True/False.
    def value_is_online(self, value: bool) -> str:
        return str(_("yes") if value else _("no"))

    def value_is_blocked(self, value: bool) -> str:
        return str(_("yes") if value else _("no"))

    def value_paid_until(self, value: Any) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class GroupTable(tables.Table):
    name = tables.LinkColumn("customers:group_edit", args=[tables.A("pk")])
    actions = tables.TemplateColumn(
        template_name="core/row_actions.html",
        verbose_name="",
        orderable=False,
        extra_context={"edit_url": "customers:group_edit", "delete_url": "customers:group_delete"},
    )

    class Meta:
        model = CustomerGroup
        fields = ("name", "site", "description")
        attrs = {"class": "table"}
        empty_text = _("No customer groups yet.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not settings.LASTMILE.sites_enabled:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "site")
        super().__init__(*args, **kwargs)


class ExtraFieldTable(tables.Table):
    name = tables.LinkColumn("customers:extra_field_edit", args=[tables.A("pk")])
    group = tables.Column(default=_("all groups"))
    actions = tables.TemplateColumn(
        template_name="core/row_actions.html",
        verbose_name="",
        orderable=False,
        extra_context={
            "edit_url": "customers:extra_field_edit",
            "delete_url": "customers:extra_field_delete",
        },
    )

    class Meta:
        model = ExtraField
        fields = ("name", "kind", "group", "is_required", "position")
        attrs = {"class": "table"}
        empty_text = _("No extra fields yet.")
