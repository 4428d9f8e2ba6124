"""factory_boy factories: one per model, with traits, by app.

``from tests.factories import X`` works for every factory.  Money goes
through ``lastmile.finance.services`` (``CustomerFactory(balance=...)``,
``PaymentFactory``, ``AccountFactory``); no factory writes a balance or a
ledger row itself.

A customer with a PPPoE password is ``CustomerFactory(pppoe=True)``; one
with a subscription is ``SubscriptionFactory(customer=..., tariff=...)``.
"""

from __future__ import annotations

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
]
