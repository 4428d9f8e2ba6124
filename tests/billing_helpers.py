"""Older spellings of the customer, tariff and fee factories (kept thin for
the directories not moved over yet: cabinet, devices, drivers, sorm, parties,
contracts, addresses).  New tests use :mod:`tests.factories`."""

from __future__ import annotations

from decimal import Decimal

from lastmile.customers.models import Customer, CustomerGroup
from lastmile.subscriptions.models import PeriodicFee, Tariff
from tests.factories import CustomerFactory, PeriodicFeeFactory, TariffFactory


def make_customer(
    *, group: CustomerGroup | None = None, balance: str | None = None, **fields: object
) -> Customer:
    """``CustomerFactory(group=..., balance=...)``."""
    return CustomerFactory(group=group, balance=balance, **fields)  # type: ignore[no-any-return]


def make_tariff(*, price: str = "500.00", public: bool = True, **fields: object) -> Tariff:
    """``TariffFactory(price=..., is_public=...)``."""
    return TariffFactory(price=Decimal(price), is_public=public, **fields)  # type: ignore[no-any-return]


def make_fee(*, price: str = "100.00", **fields: object) -> PeriodicFee:
    """``PeriodicFeeFactory(price=...)``."""
    return PeriodicFeeFactory(price=Decimal(price), **fields)  # type: ignore[no-any-return]
