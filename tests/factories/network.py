"""NASes, address pools, leases and access bindings."""

from __future__ import annotations

from typing import Any

import factory

from lastmile.network.models import AccessBinding, Lease, Nas, Pool
from tests.factories.base import ModelFactory
from tests.factories.customers import CustomerFactory


class NasFactory(ModelFactory[Nas]):
    class Meta:
        model = Nas
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
        model = Pool

    class Params:
        static = factory.Trait(kind="static")
        guest = factory.Trait(kind="guest")

    name = factory.Sequence(lambda n: f"pool{n}")
    kind = "dynamic"
    network = factory.Sequence(lambda n: f"10.{100 + n % 100}.0.0/24")


class LeaseFactory(ModelFactory[Lease]):
    """A lease row (the allocator's decision is the subject of the network
    tests: they call ``network.services``; this is for the rows around it)."""

    class Meta:
        model = Lease

    class Params:
        static = factory.Trait(kind="static")

    pool = factory.SubFactory(PoolFactory)
    customer = factory.SubFactory(CustomerFactory)
    address = factory.Sequence(lambda n: f"10.250.{n // 250 % 250}.{n % 250 + 2}")
    kind = "dynamic"


class AccessBindingFactory(ModelFactory[AccessBinding]):
    """An IPoE binding: by MAC by default; ``option82`` trait for a switch port."""

    class Meta:
        model = AccessBinding

    class Params:
        option82 = factory.Trait(
            mac="",
            remote_id=factory.Sequence(lambda n: f"sw-{n}"),
            circuit_id="eth1/0/1",
        )

    customer = factory.SubFactory(CustomerFactory)
    remote_id = ""
    circuit_id = ""
    mac = factory.LazyAttributeSequence(
        lambda o, n: (
            ""
            if o.remote_id
            else f"02:00:00:{n // 65536 % 256:02x}:{n // 256 % 256:02x}:{n % 256:02x}"
        )
    )


BindingFactory = AccessBindingFactory
