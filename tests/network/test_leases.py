"""Leases: the database refuses a second active lease on one address, history
is kept, static addresses move only away from inactive customers, expired
dynamic leases and stale sessions are cleaned up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.utils import ProgrammingError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from lastmile.network import services
from lastmile.network.errors import AddressInUse, PoolExhausted
from lastmile.network.models import Lease, Pool, Session, normalize_mac
from tests.factories import CustomerFactory, LeaseFactory, NasFactory, PoolFactory

pytestmark = pytest.mark.django_db


def test_one_address_has_at_most_one_active_lease() -> None:
    pool = PoolFactory(network="10.1.0.0/24")
    a, b = CustomerFactory(pppoe=True), CustomerFactory(pppoe=True)
    LeaseFactory(address="10.1.0.5", pool=pool, customer=a, kind="dynamic")
    with pytest.raises(IntegrityError), transaction.atomic():
        LeaseFactory(address="10.1.0.5", pool=pool, customer=b, kind="static")


def test_ending_keeps_history_and_frees_the_address() -> None:
    pool = PoolFactory(network="10.1.1.0/24")
    a, b = CustomerFactory(pppoe=True), CustomerFactory(pppoe=True)
    lease = LeaseFactory(address="10.1.1.5", pool=pool, customer=a, kind="dynamic")
    assert services.end_lease(lease=lease, reason="deleted", disconnect=False)
    assert not services.end_lease(lease=lease, reason="deleted", disconnect=False)
    LeaseFactory(address="10.1.1.5", pool=pool, customer=b, kind="dynamic")
    history = list(Lease.objects.filter(address="10.1.1.5").order_by("started_at"))
    assert [x.customer for x in history] == [a, b]
    assert history[0].ended_at is not None and history[0].end_reason == "deleted"


def test_leases_are_never_deleted() -> None:
    lease = LeaseFactory(
        address="10.1.2.5",
        pool=PoolFactory(network="10.1.2.0/24"),
        customer=CustomerFactory(pppoe=True),
        kind="static",
    )
    with pytest.raises(ProgrammingError), transaction.atomic():
        lease.delete()


def test_static_address_moves_from_an_inactive_customer_only() -> None:
    pool = PoolFactory(network="10.1.3.0/24", kind="static")
    old = CustomerFactory(pppoe=True, is_active=False)
    active = CustomerFactory(pppoe=True)
    newcomer = CustomerFactory(pppoe=True)
    services.assign_static(customer=old, address="10.1.3.7")
    moved = services.assign_static(customer=newcomer, address="10.1.3.7")
    assert moved.customer == newcomer and moved.kind == "static" and moved.pool == pool
    previous = Lease.objects.get(customer=old)
    assert previous.end_reason == "moved"
    services.assign_static(customer=active, address="10.1.3.8")
    with pytest.raises(AddressInUse):
        services.assign_static(customer=newcomer, address="10.1.3.8")


def test_session_stop_never_frees_a_static_lease_but_expiry_ends_dynamic_ones() -> None:
    pool = PoolFactory(network="10.1.4.0/24")
    customer = CustomerFactory(pppoe=True)
    static = LeaseFactory(address="10.1.4.2", pool=pool, customer=customer, kind="static")
    past = timezone.now() - timedelta(minutes=1)
    dynamic = LeaseFactory(
        address="10.1.4.3",
        pool=pool,
        customer=CustomerFactory(pppoe=True),
        kind="dynamic",
        expires_at=past,
    )
    assert services.expire_dynamic_leases() == 1
    static.refresh_from_db()
    dynamic.refresh_from_db()
    assert static.ended_at is None
    assert dynamic.end_reason == "expired"


def test_stale_sessions_close_after_three_missed_interims() -> None:
    nas = NasFactory()
    now = timezone.now()
    fresh = Session.objects.create(
        nas=nas, acct_session_id="a", started_at=now, updated_at=now - timedelta(seconds=800)
    )
    stale = Session.objects.create(
        nas=nas, acct_session_id="b", started_at=now, updated_at=now - timedelta(seconds=901)
    )
    assert services.close_stale_sessions(now=now) == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.terminate_cause == "Stale" and stale.stopped_at == stale.updated_at
    assert fresh.stopped_at is None


def test_orm_allocation_skips_gateway_and_exhausts() -> None:
    pool = PoolFactory(name="p", kind="dynamic", network="10.1.5.0/29", gateway="10.1.5.1")
    assert pool.size == 5
    got = [
        services.allocate_dynamic(customer_id=CustomerFactory(pppoe=True).pk, pool=pool).address
        for _ in range(5)
    ]
    assert "10.1.5.1" not in got and len(set(got)) == 5
    with pytest.raises(PoolExhausted):
        services.allocate_dynamic(customer_id=CustomerFactory(pppoe=True).pk, pool=pool)


def test_normalize_mac() -> None:
    assert normalize_mac("AA-BB-CC-DD-EE-FF") == "aa:bb:cc:dd:ee:ff"
    assert normalize_mac("aabb.ccdd.eeff") == "aa:bb:cc:dd:ee:ff"
    assert normalize_mac("user1") == ""


class AllocationProperties(TestCase):
    @given(st.lists(st.sampled_from(["alloc", "end"]), min_size=1, max_size=25), st.integers(0, 3))
    @settings(max_examples=25, deadline=None)
    def test_allocation_never_duplicates(self, steps, gateway_offset):  # type: ignore[no-untyped-def]
        pool = PoolFactory(
            name=f"prop{Pool.objects.count()}", kind="dynamic", network="10.2.0.0/28",
            gateway=f"10.2.0.{1 + gateway_offset}",
        )  # fmt: skip
        for step in steps:
            active = Lease.objects.filter(pool=pool, ended_at__isnull=True)
            first = active.first()
            if step == "end" and first is not None:
                services.end_lease(lease=first, reason="released", disconnect=False)
                continue
            try:
                lease = services.allocate_dynamic(
                    customer_id=CustomerFactory(pppoe=True).pk, pool=pool
                )
            except PoolExhausted:
                assert active.count() == pool.size
                continue
            assert lease.address != pool.gateway
            addresses = list(active.values_list("address", flat=True))
            assert len(addresses) == len(set(addresses)) <= pool.size
