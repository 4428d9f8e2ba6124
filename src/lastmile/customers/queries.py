"""Read selectors of the customers app, and the customer page's sections.

Other apps add a section to the customer page without touching this app's
templates: in their ``AppConfig.ready()`` they call

    from lastmile.customers.queries import register_customer_section
    register_customer_section(
        "finance/customer_section.html", context=money_section_context, order=10
    )

``context(customer, user)`` returns the section's template variables, or
``None`` to leave the section out (e.g. the user may not see money).  The
customer page includes each section's template in ``order``, with the
page's context plus the section's own variables (prefix their names).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from lastmile.customers.models import (
    Customer,
    CustomerSearchText,
    ExtraField,
    ExtraFieldValue,
    LoginNumber,
    LoginStem,
)

SectionContext = Callable[[Customer, Any], "dict[str, Any] | None"]


@dataclass(frozen=True)
class CustomerSection:
    template_name: str
    context: SectionContext | None = None
    order: int = 100


_SECTIONS: list[CustomerSection] = []


def register_customer_section(
    template_name: str, *, context: SectionContext | None = None, order: int = 100
) -> None:
    """Add a section to the customer page (idempotent per template name)."""
    _SECTIONS[:] = [s for s in _SECTIONS if s.template_name != template_name]
    _SECTIONS.append(CustomerSection(template_name, context, order))
    _SECTIONS.sort(key=lambda s: (s.order, s.template_name))


def unregister_customer_section(template_name: str) -> None:
    _SECTIONS[:] = [s for s in _SECTIONS if s.template_name != template_name]


def search_customers(queryset: QuerySet[Customer], text: str) -> QuerySet[Customer]:
    """Customers whose login, contract, name, phone or address contains ``text``
    (case-insensitive; served by the trigram index of migration 0002)."""
    needle = " ".join(text.split()).lower()
    if not needle:
        return queryset
    return queryset.alias(search_text=CustomerSearchText()).filter(search_text__contains=needle)


def active_subscriptions() -> QuerySet[Any]:
    """The customer's active subscription (at most one), for ``Exists``/``Subquery``."""
    from lastmile.subscriptions.models import Subscription, SubscriptionState

    return Subscription.objects.filter(customer=OuterRef("pk"), state=SubscriptionState.ACTIVE)


def _list_columns() -> dict[str, Any]:
    from lastmile.finance.models import Account
    from lastmile.network.models import Session
    from lastmile.subscriptions.models import Subscription, SubscriptionState

    active = Subscription.objects.filter(customer=OuterRef("pk"), state=SubscriptionState.ACTIVE)
    return {
        "balance": Subquery(Account.objects.filter(customer=OuterRef("pk")).values("balance")[:1]),
        "tariff_name": Subquery(active.values("tariff__name")[:1]),
        "paid_until": Subquery(active.values("period_end")[:1]),
        "is_blocked": ExpressionWrapper(Q(is_active=False), output_field=BooleanField()),
        "is_online": Exists(
            Session.objects.filter(customer=OuterRef("pk"), stopped_at__isnull=True)
        ),
    }


def with_list_order_keys(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """What the list filters and sorts by, without computing it for each row.

    The columns are aliases and only the primary key is selected: PostgreSQL
    evaluates a column only where a query sorts or filters by it, and the rows
    skipped by OFFSET are index entries, not joined customer rows.  Only the
    page's rows then get their fields and columns (``fill_list_rows``): page
    500 of 100,000 customers costs one index walk, not 25,000 sets of
    subqueries and joins.
    """
    return queryset.only("pk").alias(
        login_stem=LoginStem(),
        login_number=LoginNumber(),
        # The list sorts by the active subscription (tariff, paid until) and
        # the account (balance) through joins (``CustomerTable``): the join
        # is only made when the sort asks for it.
        active_subscription=FilteredRelation(
            "subscriptions", condition=Q(subscriptions__state="active")
        ),
        **_list_columns(),
    )


def with_list_columns(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """Annotate what a list row shows, in the same query as the rows.

    ``balance`` (finance account), ``tariff_name``/``paid_until`` (the active
    subscription, at most one per customer by constraint), ``is_online`` (an
    open session) and ``is_blocked``.  Subqueries rather than joins: each is
    one index probe per row.  Use it on a page's rows (``fill_list_rows``),
    not on a query that is then cut with OFFSET.
    """
    return queryset.select_related("group", "site").annotate(
        login_stem=LoginStem(), login_number=LoginNumber(), **_list_columns()
    )


def fill_list_rows(customers: list[Customer]) -> list[Customer]:
    """The same customers, in the same order, with their list columns."""
    by_pk = {
        c.pk: c
        for c in with_list_columns(Customer.objects.filter(pk__in=[c.pk for c in customers]))
    }
    return [by_pk[c.pk] for c in customers if c.pk in by_pk]


def customer_list_queryset(user: Any) -> QuerySet[Customer]:
    """The customers ``user`` may view, with what a list row shows."""
    return Customer.objects.restrict(user, "view").select_related("group", "site")


def applicable_extra_fields(customer: Customer) -> QuerySet[ExtraField]:
    """Extra fields of the customer's group and those for every group."""
    condition = Q(group__isnull=True)
    if customer.group_id is not None:
        condition |= Q(group_id=customer.group_id)
    return ExtraField.objects.filter(condition)


@dataclass(frozen=True)
class ExtraValueRow:
    field: ExtraField
    value: str


def extra_value_rows(customer: Customer) -> list[ExtraValueRow]:
    """Every extra field that applies to the customer, with its value ("" if unset)."""
    values = dict(
        ExtraFieldValue.objects.filter(customer=customer).values_list("field_id", "value")
    )
    return [
        ExtraValueRow(field, values.get(field.pk, ""))
        for field in applicable_extra_fields(customer).order_by("position", "name")
    ]


def customer_page_context(customer: Customer, user: Any) -> dict[str, Any]:
    """Everything the customer page shows; the one place to extend it.

    ``extra_sections`` lists the template names of the registered sections
    that apply; each section's variables are merged into the context (so a
    section should prefix its keys: ``money_balance``, ``network_leases``).
    """
    can_change = Customer.objects.restrict(user, "change").filter(pk=customer.pk).exists()
    context: dict[str, Any] = {
        "customer": customer,
        "object": customer,
        "title": str(customer),
        "extra_values": extra_value_rows(customer),
        "can_change": can_change,
        "can_reveal_secret": can_change and bool(customer.pppoe_secret_encrypted),
    }
    sections = []
    for section in _SECTIONS:
        extra = section.context(customer, user) if section.context else {}
        if extra is None:
            continue
        clashes = set(extra) & set(context)
        if clashes:
            raise ValueError(f"{section.template_name} overrides {sorted(clashes)}")
        context.update(extra)
        sections.append(section.template_name)
    context["extra_sections"] = sections
    return context


def customers_by_phone(queryset: QuerySet[Customer], key: str) -> QuerySet[Customer]:
    """Customers with a phone whose digits contain ``key`` (see
    ``lastmile.core.phones.phone_key``), whatever punctuation it was stored with."""
    from django.db.models import F, Func, TextField, Value

    if not key:
        return queryset.none()
    digits = Func(
        Func(F("phones"), Value(","), function="array_to_string", output_field=TextField()),
        Value(r"\D"),
        Value(""),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )
    return queryset.alias(phone_digits=digits).filter(phone_digits__contains=key)
