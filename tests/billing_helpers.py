"""Older spellings of the customer, tariff and fee factories, kept thin for
``tests/cabinet`` (another session is changing it); everything else uses
:mod:`tests.factories` directly."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lastmile.customers.models import Customer, CustomerGroup
from lastmile.subscriptions.models import PeriodicFee, Tariff
from tests.factories import CustomerFactory, PeriodicFeeFactory, TariffFactory


def make_customer(
    *, group: CustomerGroup | None = None, balance: str | None = None, **fields: Any
) -> Customer:
    """``CustomerFactory(group=..., balance=...)``."""
    return CustomerFactory(group=group, balance=balance, **fields)


def make_tariff(*, price: str = "500.00", public: bool = True, **fields: Any) -> Tariff:
    """``TariffFactory(price=..., is_public=...)``."""
    return TariffFactory(price=Decimal(price), is_public=public, **fields)


def make_fee(*, price: str = "100.00", **fields: Any) -> PeriodicFee:
    """``PeriodicFeeFactory(price=...)``."""
    return PeriodicFeeFactory(price=Decimal(price), **fields)
