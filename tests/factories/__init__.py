"""factory_boy factories: one per model, with traits, by app.

``from tests.factories import X`` works for every factory.  Money goes
through ``lastmile.finance.services`` (``CustomerFactory(balance=...)``,
``PaymentFactory``, ``AccountFactory``); no factory writes a balance or a
ledger row itself.

The ``Net*`` names and :func:`net_subscribe` are the older spellings, kept
thin for the directories not moved over yet (interop, sorm); new tests use
``CustomerFactory(pppoe=True)``, ``TariffFactory`` and ``SubscriptionFactory``.
"""

from __future__ import annotations

import factory

from tests.factories.accounts import (
    PASSWORD,
    ObjectPermissionFactory,
    SiteFactory,
    UserFactory,
    grant,
)
from tests.factories.customers import (
    CustomerFactory,
    CustomerGroupFactory,
    ExtraFieldFactory,
    _pppoe,
)
from tests.factories.finance import AccountFactory, PaymentFactory
from tests.factories.network import (
    AccessBindingFactory,
    BindingFactory,
    LeaseFactory,
    NasFactory,
    PoolFactory,
)
from tests.factories.notifications import (
    NotificationTemplateFactory,
    SubscriberPreferenceFactory,
    TelegramLinkFactory,
)
from tests.factories.subscriptions import (
    OneOffServiceFactory,
    PeriodicFeeFactory,
    SubscriptionFactory,
    TariffFactory,
)
from tests.factories.tickets import TicketFactory, TicketKindFactory


class NetCustomerFactory(CustomerFactory):
    """``CustomerFactory(pppoe=True)`` (older name)."""

    pppoe_secret = factory.PostGeneration(
        lambda o, c, e, **k: _pppoe(o, c, True if e is None else e)
    )


NetTariffFactory = TariffFactory


def net_subscribe(customer, tariff, *, days: int = 30, state: str = "active"):  # type: ignore[no-untyped-def]
    """``SubscriptionFactory(customer=..., tariff=...)`` (older name)."""
    return SubscriptionFactory(customer=customer, tariff=tariff, days=days, state=state)


__all__ = [
    "PASSWORD",
    "AccessBindingFactory",
    "AccountFactory",
    "BindingFactory",
    "CustomerFactory",
    "CustomerGroupFactory",
    "ExtraFieldFactory",
    "LeaseFactory",
    "NasFactory",
    "NetCustomerFactory",
    "NetTariffFactory",
    "NotificationTemplateFactory",
    "ObjectPermissionFactory",
    "OneOffServiceFactory",
    "PaymentFactory",
    "PeriodicFeeFactory",
    "PoolFactory",
    "SiteFactory",
    "SubscriberPreferenceFactory",
    "SubscriptionFactory",
    "TariffFactory",
    "TelegramLinkFactory",
    "TicketFactory",
    "TicketKindFactory",
    "UserFactory",
    "grant",
    "net_subscribe",
]
