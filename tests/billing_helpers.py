"""Builders for money and subscription tests (plain functions, real rows)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from lastmile.customers.models import Customer, CustomerGroup
from lastmile.finance.services import record_payment
from lastmile.subscriptions.models import PeriodicFee, Tariff

_seq = itertools.count(1)


def make_customer(
    *, group: CustomerGroup | None = None, balance: str | None = None, **fields: Any
) -> Customer:
    n = next(_seq)
    customer = Customer.objects.create(
        login=fields.pop("login", f"cust{n}"),
        contract_number=fields.pop("contract_number", f"C-{n:06d}"),
        group=group,
        **fields,
    )
    if balance is not None:
        record_payment(
            customer_id=customer.pk, amount=Decimal(balance), external_id=f"seed-{customer.pk}"
        )
    return customer


def make_tariff(*, price: str = "500.00", public: bool = True, **fields: Any) -> Tariff:
    n = next(_seq)
    return Tariff.objects.create(
        name=fields.pop("name", f"Tariff {n}"),
        price=Decimal(price),
        rate_down_kbps=fields.pop("rate_down_kbps", 100_000),
        rate_up_kbps=fields.pop("rate_up_kbps", 50_000),
        is_public=public,
        **fields,
    )


def make_fee(*, price: str = "100.00", **fields: Any) -> PeriodicFee:
    n = next(_seq)
    return PeriodicFee.objects.create(
        name=fields.pop("name", f"Fee {n}"), price=Decimal(price), **fields
    )
