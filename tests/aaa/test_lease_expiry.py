"""What accounting does to a dynamic lease, and when.

A running session keeps its lease; Stop shortens it to the hold time, written
by the server's deferred flush (off the reply path) — unless the subscriber
came back after the Stop's event time.  Checked against the real server and
the real database, then the flush statement on its own."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import psycopg
from django.db import connection
from django.db.models import F
from django.utils import timezone

from lastmile.aaa.ops import LeaseExpiry
from lastmile.aaa.statements import apply_lease_expiries
from lastmile.network.models import Lease, LeaseEndReason, Session
from lastmile.radius import codec
from tests.aaa.helpers import Client, radius_server
from tests.aaa.helpers import test_database_url as database_url
from tests.factories import (
    CustomerFactory,
    LeaseFactory,
    NasFactory,
    PoolFactory,
    SubscriptionFactory,
    TariffFactory,
)

HOLD_S = 120
DAY_S = 86400


def _acct(client: Client, status: int, session: str, address: str, *, delay: int = 0):  # type: ignore[no-untyped-def]
    attrs = (
        codec.attr_text(codec.USER_NAME, "acct1")
        + codec.attr_int(codec.ACCT_STATUS_TYPE, status)
        + codec.attr_text(codec.ACCT_SESSION_ID, session)
        + codec.attr(codec.FRAMED_IP_ADDRESS, bytes(int(x) for x in address.split(".")))
        + codec.attr_int(codec.ACCT_DELAY_TIME, delay)
    )
    reply = client.accounting(attrs)
    assert reply is not None and reply.code == codec.ACCOUNTING_RESPONSE
    return reply


def _expiry_in_s() -> float:
    lease = Lease.objects.get(customer__login="acct1", ended_at__isnull=True)
    assert lease.expires_at is not None
    return (lease.expires_at - timezone.now()).total_seconds()


def _wait_for(predicate, seconds: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_stop_releases_the_lease_but_not_after_a_reconnect(transactional_db):  # type: ignore[no-untyped-def]
    NasFactory(address="127.0.0.1", require_message_authenticator=False)
    PoolFactory(network="10.67.0.0/24")
    SubscriptionFactory(customer=CustomerFactory(pppoe=True, login="acct1"), tariff=TariffFactory())
    env = {"LASTMILE_LEASE_HOLD_AFTER_STOP_S": str(HOLD_S)}
    with radius_server(extra_env=env) as server:
        auth, acct = Client(server.auth_port), Client(server.acct_port)
        accept = auth.access("acct1", "pass-acct1")
        assert accept is not None and accept.code == codec.ACCESS_ACCEPT
        address = ".".join(str(b) for b in accept.attrs[codec.FRAMED_IP_ADDRESS])
        assert _expiry_in_s() > DAY_S - 60

        # Start and Interim of a fresh lease change nothing on it.
        _acct(acct, codec.ACCT_START, "s-1", address)
        _acct(acct, codec.ACCT_INTERIM, "s-1", address)
        time.sleep(1.0)  # two flush intervals
        assert _expiry_in_s() > DAY_S - 60

        # Stop: the address is held HOLD_S more, then free for the pool.
        _acct(acct, codec.ACCT_STOP, "s-1", address)
        assert _wait_for(lambda: _expiry_in_s() <= HOLD_S)

        # The subscriber dials again: the same address, the lease long again.
        again = auth.access("acct1", "pass-acct1")
        assert again is not None and again.code == codec.ACCESS_ACCEPT
        assert again.attrs[codec.FRAMED_IP_ADDRESS] == accept.attrs[codec.FRAMED_IP_ADDRESS]
        assert _expiry_in_s() > DAY_S - 60

        # A Stop that happened before that reconnect but arrives late (its
        # Acct-Delay-Time says 30 s ago) is recorded, and leaves the lease alone.
        _acct(acct, codec.ACCT_START, "s-2", address)
        _acct(acct, codec.ACCT_STOP, "s-0-late", address, delay=30)
        time.sleep(1.0)
        assert _expiry_in_s() > DAY_S - 60

        # The database drops every writer connection (a restart, a killed
        # backend): the next Stop is still recorded and its lease released.
        with connection.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = 'lastmile-radius-writer'"
            )
            assert cur.rowcount >= 3  # two batch slots and the lease flush
        _acct(acct, codec.ACCT_STOP, "s-2", address)
        assert _wait_for(lambda: _expiry_in_s() <= HOLD_S)
        assert Session.objects.get(acct_session_id="s-2").stopped_at is not None
        auth.close()
        acct.close()
    # The SIGTERM path flushes what is queued: nothing was lost or left half-done.
    assert Lease.objects.filter(customer__login="acct1", ended_at__isnull=True).count() == 1


def test_flush_statement_only_moves_expiry_the_safe_way(transactional_db):  # type: ignore[no-untyped-def]
    NasFactory(address="127.0.0.1")
    pool = PoolFactory(network="10.68.0.0/24")
    customers = [CustomerFactory(pppoe=True) for _ in range(4)]
    now = timezone.now()
    day = now + timedelta(days=1)

    def lease(i: int, **kw):  # type: ignore[no-untyped-def]
        fields = {"kind": "dynamic", "expires_at": day, "renewed_at": now - timedelta(minutes=5)}
        fields.update(kw)
        return LeaseFactory(address=f"10.68.0.{10 + i}", pool=pool, customer=customers[i], **fields)

    running, stopped, static, ended = (
        lease(0),
        lease(1),
        lease(2, kind="static", expires_at=None),
        lease(3),
    )
    Lease.objects.filter(pk=ended.pk).update(
        ended_at=F("started_at"), end_reason=LeaseEndReason.RELEASED
    )
    soon, t = now.timestamp() + HOLD_S, now.timestamp()
    changes = [
        LeaseExpiry(running.pk, now.timestamp() + 60, stop=False, at=t),  # never shortens
        LeaseExpiry(stopped.pk, soon, stop=True, at=t),
        LeaseExpiry(static.pk, soon, stop=True, at=t),
        LeaseExpiry(ended.pk, soon, stop=True, at=t),
    ]

    async def apply() -> None:
        async with await psycopg.AsyncConnection.connect(database_url(), autocommit=True) as conn:
            await apply_lease_expiries(conn, changes)

    asyncio.run(apply())
    for obj in (running, stopped, static, ended):
        obj.refresh_from_db()
    assert running.expires_at == day
    assert stopped.expires_at is not None and abs(stopped.expires_at.timestamp() - soon) < 0.01
    assert static.expires_at is None
    assert ended.expires_at == day
    # A Stop whose event time is before the lease's last renewal does nothing.
    Lease.objects.filter(pk=running.pk).update(renewed_at=now)
    changes[:] = [LeaseExpiry(running.pk, soon, stop=True, at=t - 30)]
    asyncio.run(apply())
    running.refresh_from_db()
    assert running.expires_at == day
