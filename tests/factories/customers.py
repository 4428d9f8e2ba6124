"""Customers (one factory, with traits) and their groups and extra fields."""

from __future__ import annotations

from decimal import Decimal

import factory

from lastmile.customers.models import Customer, CustomerGroup, ExtraField
from tests.factories.accounts import SiteFactory
from tests.factories.base import ModelFactory


def _pppoe(customer: Customer, create: bool, secret: object) -> None:
    if secret is None or secret is False:
        return
    customer.set_pppoe_secret(f"pass-{customer.login}" if secret is True else str(secret))
    if create:
        customer.save(update_fields=["pppoe_secret_encrypted"])


def _pay(customer: Customer, create: bool, amount: object) -> None:
    """Money in through the ledger service, never by writing the balance."""
    if amount is None or not create:
        return
    from lastmile.finance.services import record_payment

    record_payment(
        customer_id=customer.pk, amount=Decimal(str(amount)), external_id=f"seed-{customer.pk}"
    )


class CustomerGroupFactory(ModelFactory[CustomerGroup]):
    class Meta:
        model = CustomerGroup
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Group {n}")


class CustomerFactory(ModelFactory[Customer]):
    """A customer without passwords (hashing a cabinet password costs ~0.3 s).

    Traits:
      ``blocked``            not active;
      ``reachable``          an email and a phone (for notifications);
      ``pppoe``              the PPPoE password ``pass-<login>``;
      ``site_limited``       belongs to a site of its own;
      ``with_balance``       1000.00 paid in (through ``finance.services``);
      ``with_subscription``  an active subscription to a new tariff.
    Arguments handled after creation: ``pppoe_secret="..."`` (or ``True``
    for ``pass-<login>``), ``balance="..."`` (a payment through
    ``finance.services.record_payment``; never written to the account row).
    """

    class Meta:
        model = Customer
        skip_postgeneration_save = True

    class Params:
        blocked = factory.Trait(is_active=False)
        reachable = factory.Trait(
            email=factory.LazyAttribute(lambda o: f"{o.login}@example.net"),
            phones=factory.LazyFunction(lambda: ["+79990001122"]),
        )
        pppoe = factory.Trait(
            pppoe_secret=factory.PostGeneration(lambda o, c, e, **k: _pppoe(o, c, True))
        )
        site_limited = factory.Trait(site=factory.SubFactory(SiteFactory))
        with_balance = factory.Trait(
            balance=factory.PostGeneration(lambda o, c, e, **k: _pay(o, c, "1000.00"))
        )
        with_subscription = factory.Trait(
            subscription=factory.RelatedFactory(
                "tests.factories.subscriptions.SubscriptionFactory",
                factory_related_name="customer",
            )
        )

    login = factory.Sequence(lambda n: f"cust{n}")
    contract_number = factory.Sequence(lambda n: f"C-{n:06d}")
    full_name = factory.Sequence(lambda n: f"Customer Number{n}")
    phones = factory.LazyFunction(list)
    locality = "Lastmile"
    street = "Lenina st."
    house = factory.Sequence(lambda n: str(n % 100 + 1))
    is_active = True

    pppoe_secret = factory.PostGeneration(lambda o, c, e, **k: _pppoe(o, c, e))
    balance = factory.PostGeneration(lambda o, c, e, **k: _pay(o, c, e))


class ExtraFieldFactory(ModelFactory[ExtraField]):
    class Meta:
        model = ExtraField

    name = factory.Sequence(lambda n: f"Field {n}")
    kind = ExtraField.Kind.TEXT
