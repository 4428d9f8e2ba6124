"""Server behaviour a NAS relies on: duplicates get the cached reply, unknown
NASes are ignored, changes in the database reach the cache, SIGTERM finishes
the work in flight."""

from __future__ import annotations

import socket
import time

from lastmile.network.models import Lease
from lastmile.radius import codec
from tests.aaa.helpers import Client, load, radius_server
from tests.factories import (
    NasFactory,
    NetCustomerFactory,
    NetTariffFactory,
    PoolFactory,
    net_subscribe,
)


def _world():  # type: ignore[no-untyped-def]
    NasFactory(address="127.0.0.1", require_message_authenticator=False)
    PoolFactory(network="10.66.0.0/24")
    tariff = NetTariffFactory()
    for login in ("dup1", "late1"):
        net_subscribe(NetCustomerFactory(login=login), tariff)
    return tariff


def test_duplicates_unknown_nas_and_live_changes(transactional_db):  # type: ignore[no-untyped-def]
    tariff = _world()
    with radius_server() as server:
        client = Client(server.auth_port)
        packet = client.access_packet("dup1", "pass-dup1")
        first = client.exchange(packet)
        second = client.exchange(packet)
        assert first is not None and second is not None
        assert first.raw == second.raw  # the cached reply, byte for byte
        assert Lease.objects.filter(customer__login="dup1").count() == 1
        # Without Message-Authenticator, allowed for this NAS.
        bare = client.access("dup1", "pass-dup1", with_ma=False)
        assert bare is not None and bare.code == codec.ACCESS_ACCEPT
        # From an address that is not a registered NAS: silence.
        stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        stranger.bind(("127.0.0.2", 0))
        stranger.settimeout(1)
        stranger.sendto(client.access_packet("dup1", "pass-dup1"), ("127.0.0.1", server.auth_port))
        try:
            stranger.recvfrom(4096)
            answered = True
        except TimeoutError:
            answered = False
        stranger.close()
        assert not answered
        # A customer created after start is known within a moment (LISTEN/NOTIFY).
        net_subscribe(NetCustomerFactory(login="new1"), tariff)
        reply = None
        for _ in range(20):
            reply = client.access("new1", "pass-new1")
            if reply is not None and reply.code == codec.ACCESS_ACCEPT:
                break
            time.sleep(0.1)
        assert reply is not None and reply.code == codec.ACCESS_ACCEPT
        client.close()
        log = server.log()
    assert "unknown_nas_dropped" in log


def test_sigterm_finishes_work_in_flight(transactional_db):  # type: ignore[no-untyped-def]
    _world()
    with radius_server() as server:
        replies = load(["dup1", "late1"], [server.auth_port])
        assert all(r is not None and r.code == codec.ACCESS_ACCEPT for r in replies.values())
        assert server.stop() == 0
        assert "radius.stopped" in server.log()


def test_writer_survives_a_lost_database_connection(transactional_db):  # type: ignore[no-untyped-def]
    """A database restart or a killed backend must not leave the server
    failing every request: the writer reconnects and carries on."""
    from django.db import connection

    _world()
    with radius_server() as server:
        client = Client(server.auth_port)
        first = client.access("dup1", "pass-dup1")
        assert first is not None and first.code == codec.ACCESS_ACCEPT
        with connection.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'lastmile-radius-writer'"
            )
        replies = []
        for _ in range(6):  # every writer connection gets a turn
            replies.append(client.access("late1", "pass-late1"))
            time.sleep(0.2)
        client.close()
    assert replies[-1] is not None and replies[-1].code == codec.ACCESS_ACCEPT
    assert Lease.objects.filter(customer__login="late1", ended_at__isnull=True).count() == 1
