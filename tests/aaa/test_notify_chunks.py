"""A statement that changes many leases names every one of them to the
other RADIUS nodes (chunks of ids), instead of asking for a full reload."""

from __future__ import annotations

import psycopg
from django.db import connection

from lastmile.network.models import Lease
from tests.aaa.helpers import test_database_url as database_url
from tests.factories import CustomerFactory, PoolFactory


def test_a_thousand_lease_changes_arrive_as_ids(transactional_db):  # type: ignore[no-untyped-def]
    pool = PoolFactory(network="10.69.0.0/22", kind="static")
    customer = CustomerFactory(pppoe=True)
    Lease.objects.bulk_create(
        Lease(
            address=f"10.69.{i // 250}.{i % 250 + 1}", pool=pool, customer=customer, kind="static"
        )
        for i in range(1000)
    )
    ids = set(Lease.objects.values_list("pk", flat=True))
    with psycopg.connect(database_url(), autocommit=True) as listen:
        listen.execute("LISTEN lastmile_aaa")
        with connection.cursor() as cur:
            cur.execute("UPDATE network_lease SET mac = 'aa:bb:cc:dd:ee:ff'")
        payloads = [n.payload for n in listen.notifies(timeout=2.0, stop_after=100)]
    lease_notes = [p.removeprefix("lease:") for p in payloads if p.startswith("lease:")]
    assert "*" not in lease_notes
    assert len(lease_notes) == 3  # 400 + 400 + 200
    seen = [int(x) for note in lease_notes for x in note.split(",")]
    assert sorted(seen) == sorted(ids)
