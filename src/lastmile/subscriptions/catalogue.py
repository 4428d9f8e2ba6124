"""Writes to the tariff catalogue: the staff page and the REST API call the same function."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lastmile.core.actor import Actor
from lastmile.customers.models import CustomerGroup
from lastmile.finance.money import to_money
from lastmile.subscriptions.errors import InvalidTariff, TariffNameTaken
from lastmile.subscriptions.models import PeriodKind, Tariff

#: The tariff fields a caller may set, in the order the staff form shows them
#: (``groups`` is passed apart, to ``save_tariff``'s ``groups``).
TARIFF_FIELDS = (
    "name",
    "description",
    "price",
    "period_kind",
    "period_days",
    "rate_down_kbps",
    "rate_up_kbps",
    "burst_down_kbps",
    "burst_up_kbps",
    "is_public",
    "groups",
    "is_active",
)


def save_tariff(
    *,
    tariff: Tariff,
    values: dict[str, Any],
    groups: Iterable[int | CustomerGroup],
    actor: Actor | None = None,
) -> Tariff:
    """Create (``tariff.pk`` is None) or change a tariff with ``values`` and the
    customer groups it is offered to (ids or objects; none = every group)."""
    data = {key: values[key] for key in TARIFF_FIELDS if key in values and key != "groups"}
    if "price" in data:
        data["price"] = to_money(data["price"], field="price")
        if data["price"] < 0:
            raise InvalidTariff(_("The price cannot be negative."), field="price")
    kind = data.get("period_kind", tariff.period_kind)
    if kind == PeriodKind.DAYS and not data.get("period_days", tariff.period_days):
        raise InvalidTariff(_("A period of days needs period_days."), field="period_days")
    if kind == PeriodKind.MONTH:
        data["period_days"] = None
    name = data.get("name", tariff.name)
    if Tariff.objects.filter(name=name).exclude(pk=tariff.pk).exists():
        raise TariffNameTaken(_("A tariff with this name already exists."), field="name")
    group_ids = sorted({g if isinstance(g, int) else g.pk for g in groups})
    known = set(CustomerGroup.objects.filter(pk__in=group_ids).values_list("pk", flat=True))
    unknown = sorted(set(group_ids) - known)
    if unknown:
        raise InvalidTariff(
            _("Unknown customer group ids: %(ids)s") % {"ids": ", ".join(map(str, unknown))},
            errors=[{"field": "body.payload.group_ids", "message": "unknown customer group"}],
        )
    for key, value in data.items():
        setattr(tariff, key, value)
    with transaction.atomic():
        tariff.save()
        tariff.groups.set(group_ids)
    return tariff
