"""Tariffs, fees and subscriptions.  A subscription made here is a row
with its period (as if bought earlier); a test about buying calls
``subscriptions.services.buy_tariff``."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from lastmile.subscriptions.models import OneOffService, PeriodicFee, Subscription, Tariff
from tests.factories.base import _M, ModelFactory
from tests.factories.customers import CustomerFactory


class _Priced(ModelFactory[_M]):
    """``price`` given as a string or a number becomes a Decimal (as read back)."""

    class Meta:
        abstract = True

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        if "price" in kwargs and not isinstance(kwargs["price"], Decimal):
            kwargs["price"] = Decimal(str(kwargs["price"]))
        return kwargs


class TariffFactory(_Priced[Tariff]):
    class Meta:
        model = Tariff

    class Params:
        private = factory.Trait(is_public=False)
        off_sale = factory.Trait(is_active=False)

    name = factory.Sequence(lambda n: f"Tariff {n}")
    price = Decimal("500.00")
    rate_down_kbps = 100_000
    rate_up_kbps = 50_000
    is_public = True


class PeriodicFeeFactory(_Priced[PeriodicFee]):
    class Meta:
        model = PeriodicFee

    name = factory.Sequence(lambda n: f"Fee {n}")
    price = Decimal("100.00")


class OneOffServiceFactory(_Priced[OneOffService]):
    class Meta:
        model = OneOffService

    name = factory.Sequence(lambda n: f"Service {n}")
    price = Decimal("50.00")


class SubscriptionFactory(_Priced[Subscription]):
    """Active for ``days`` (30) from now, since yesterday.  Traits:
    ``expired`` (ended yesterday), ``no_auto_renew``; ``auto_renew`` is on
    by default."""

    class Meta:
        model = Subscription

    class Params:
        days = 30
        expired = factory.Trait(
            state="expired",
            period_start=factory.LazyFunction(lambda: timezone.now() - timedelta(days=31)),
            period_end=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
            ended_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
            end_reason="expired",
        )
        no_auto_renew = factory.Trait(auto_renew=False)

    customer = factory.SubFactory(CustomerFactory)
    tariff = factory.SubFactory(TariffFactory)
    price = factory.LazyAttribute(lambda o: o.tariff.price)
    state = "active"
    auto_renew = True
    period_start = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    period_end = factory.LazyAttribute(lambda o: timezone.now() + timedelta(days=o.days))
