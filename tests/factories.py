"""factory_boy factories for every model tests create."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import factory
from django.contrib.contenttypes.models import ContentType
from django.db import models

from lastmile.accounts.models import ObjectPermission, Site, User
from lastmile.customers.models import Customer, CustomerGroup, ExtraField
from lastmile.network.models import Nas, Pool
from lastmile.subscriptions.models import Tariff
from lastmile.tasks.models import Ticket, TicketKind

PASSWORD = "correct horse battery staple"

_M = TypeVar("_M", bound=models.Model)


class ModelFactory(factory.django.DjangoModelFactory[_M]):
    """A factory whose call is typed as the model it builds (``CustomerFactory()``
    is a ``Customer`` to mypy, as it is at run time)."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> _M:  # type: ignore[misc]
            ...


class SiteFactory(ModelFactory[Site]):
    class Meta:
        model = Site
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Site {n}")
    slug = factory.Sequence(lambda n: f"site-{n}")


class UserFactory(ModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    is_active = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


def grant(
    user: User,
    model: type[models.Model],
    actions: list[str],
    constraints: object = None,
    name: str | None = None,
) -> ObjectPermission:
    """Give ``user`` an object permission on ``model``."""
    perm = ObjectPermission.objects.create(
        name=name
        or f"{user.username}-{model._meta.model_name}-{'-'.join(actions)}-{ObjectPermission.objects.count()}",
        actions=actions,
        constraints=constraints,
    )
    perm.object_types.add(ContentType.objects.get_for_model(model))
    perm.users.add(user)
    return perm


# Tickets and notifications ------------------------------------------------------
# (a customer factory of their own, so as not to collide with the customers app's)


class TicketCustomerFactory(ModelFactory[Customer]):
    class Meta:
        model = "customers.Customer"
        django_get_or_create = ("login",)

    login = factory.Sequence(lambda n: f"tcust{n}")
    contract_number = factory.Sequence(lambda n: f"TC-{n:05d}")
    full_name = factory.Sequence(lambda n: f"Ticket Customer {n}")
    email = factory.LazyAttribute(lambda o: f"{o.login}@example.net")
    phones = factory.LazyFunction(lambda: ["+79990001122"])


class TicketKindFactory(ModelFactory[TicketKind]):
    class Meta:
        model = "tasks.TicketKind"
        django_get_or_create = ("code",)

    code = "repair"
    name = "Repair"


class TicketFactory(ModelFactory[Ticket]):
    class Meta:
        model = "tasks.Ticket"

    kind = factory.SubFactory(TicketKindFactory)
    description = factory.Sequence(lambda n: f"Problem {n}")
    author = factory.SubFactory(UserFactory)


# Network / AAA ---------------------------------------------------------------------


class NetCustomerFactory(ModelFactory[Customer]):
    """A customer with a PPPoE password (``pass-<login>``) for network tests."""

    class Meta:
        model = "customers.Customer"
        skip_postgeneration_save = True

    login = factory.Sequence(lambda n: f"net{n}")
    contract_number = factory.Sequence(lambda n: f"N-{n}")
    is_active = True

    @factory.post_generation
    def pppoe_secret(obj: Customer, create: bool, extracted: Any, **kwargs: Any) -> None:
        obj.set_pppoe_secret(extracted if extracted is not None else f"pass-{obj.login}")
        if create:
            obj.save()


class NetTariffFactory(ModelFactory[Tariff]):
    class Meta:
        model = "subscriptions.Tariff"

    name = factory.Sequence(lambda n: f"Net tariff {n}")
    price = 500
    rate_down_kbps = 100000
    rate_up_kbps = 50000


def net_subscribe(customer, tariff, *, days: int = 30, state: str = "active"):  # type: ignore[no-untyped-def]
    """An active subscription of ``customer`` to ``tariff`` for ``days`` from now."""
    from datetime import timedelta

    from django.utils import timezone

    from lastmile.subscriptions.models import Subscription

    now = timezone.now()
    return Subscription.objects.create(
        customer=customer,
        tariff=tariff,
        price=tariff.price,
        state=state,
        period_start=now - timedelta(days=1),
        period_end=now + timedelta(days=days),
    )


class NasFactory(ModelFactory[Nas]):
    class Meta:
        model = "network.Nas"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"nas{n}")
    address = factory.Sequence(lambda n: f"192.0.2.{n % 250 + 1}")
    vendor = "mikrotik"
    require_message_authenticator = False

    @factory.post_generation
    def secret(obj: Nas, create: bool, extracted: Any, **kwargs: Any) -> None:
        obj.set_secret(extracted or "testing123")
        if create:
            obj.save()


class PoolFactory(ModelFactory[Pool]):
    class Meta:
        model = "network.Pool"

    name = factory.Sequence(lambda n: f"pool{n}")
    kind = "dynamic"
    network = factory.Sequence(lambda n: f"10.{100 + n % 100}.0.0/24")


# --- customers -------------------------------------------------------------------


class CustomerGroupFactory(ModelFactory[CustomerGroup]):
    class Meta:
        model = CustomerGroup
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Group {n}")


class CustomerFactory(ModelFactory[Customer]):
    """A customer without passwords (hashing a cabinet password costs ~0.3 s)."""

    class Meta:
        model = Customer

    login = factory.Sequence(lambda n: f"cust{n}")
    contract_number = factory.Sequence(lambda n: f"C-{n:06d}")
    full_name = factory.Sequence(lambda n: f"Customer Number{n}")
    phones = factory.LazyFunction(list)
    locality = "Lastmile"
    street = "Lenina st."
    house = factory.Sequence(lambda n: str(n % 100 + 1))


class ExtraFieldFactory(ModelFactory[ExtraField]):
    class Meta:
        model = ExtraField

    name = factory.Sequence(lambda n: f"Field {n}")
    kind = ExtraField.Kind.TEXT
