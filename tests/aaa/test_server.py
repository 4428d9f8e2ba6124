"""Server behaviour a NAS relies on: duplicates get the cached reply, unknown
NASes are ignored, changes in the database reach the cache, SIGTERM finishes
the work in flight."""

from __future__ import annotations

import socket
import time

from lastmile.network.models import Lease
from lastmile.radius import codec
from tests.aaa.helpers import Client, load, radius_server
from tests.factories import CustomerFactory, NasFactory, PoolFactory, SubscriptionFactory


def _world():  # type: ignore[no-untyped-def]
    NasFactory(address="127.0.0.1", require_message_authenticator=False)
    PoolFactory(network="10.66.0.0/24")
    first = SubscriptionFactory(customer=CustomerFactory(login="dup1", pppoe=True))
    SubscriptionFactory(customer=CustomerFactory(login="late1", pppoe=True), tariff=first.tariff)
    return first.tariff


def test_a_duplicate_request_gets_the_cached_reply_byte_for_byte(transactional_db):  # type: ignore[no-untyped-def]
    _world()
    with radius_server() as server:
        client = Client(server.auth_port)
        packet = client.access_packet("dup1", "pass-dup1")
        first = client.exchange(packet)
        second = client.exchange(packet)
        client.close()
    assert first is not None and second is not None
    assert first.raw == second.raw


def test_a_duplicate_request_does_not_lease_a_second_address(transactional_db):  # type: ignore[no-untyped-def]
    _world()
    with radius_server() as server:
        client = Client(server.auth_port)
        packet = client.access_packet("dup1", "pass-dup1")
        client.exchange(packet)
        client.exchange(packet)
        client.close()
    assert Lease.objects.filter(customer__login="dup1").count() == 1


def test_a_request_without_message_authenticator_is_accepted_when_the_nas_allows_it(
    transactional_db,  # type: ignore[no-untyped-def]
):
    _world()
    with radius_server() as server:
        client = Client(server.auth_port)
        bare = client.access("dup1", "pass-dup1", with_ma=False)
        client.close()
    assert bare is not None and bare.code == codec.ACCESS_ACCEPT


def _ask_from_stranger(server) -> bool:  # type: ignore[no-untyped-def]
    """Send a valid request from 127.0.0.2 (not a NAS); True if answered."""
    client = Client(server.auth_port)
    stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    stranger.bind(("127.0.0.2", 0))
    stranger.settimeout(1)
    stranger.sendto(client.access_packet("dup1", "pass-dup1"), ("127.0.0.1", server.auth_port))
    try:
        stranger.recvfrom(4096)
        return True
    except TimeoutError:
        return False
    finally:
        stranger.close()
        client.close()


def test_a_request_from_an_unknown_nas_gets_no_answer(transactional_db):  # type: ignore[no-untyped-def]
    _world()
    with radius_server() as server:
        answered = _ask_from_stranger(server)
    assert not answered


def test_a_request_from_an_unknown_nas_is_logged(transactional_db):  # type: ignore[no-untyped-def]
    _world()
    with radius_server() as server:
        _ask_from_stranger(server)
        log = server.log()
    assert "unknown_nas_dropped" in log


def test_a_customer_created_after_start_is_known_within_a_moment(transactional_db):  # type: ignore[no-untyped-def]
    """LISTEN/NOTIFY brings the new customer into the server's cache."""
    tariff = _world()
    with radius_server() as server:
        client = Client(server.auth_port)
        SubscriptionFactory(customer=CustomerFactory(login="new1", pppoe=True), tariff=tariff)
        reply = None
        for _ in range(20):
            reply = client.access("new1", "pass-new1")
            if reply is not None and reply.code == codec.ACCESS_ACCEPT:
                break
            time.sleep(0.1)
        client.close()
    assert reply is not None and reply.code == codec.ACCESS_ACCEPT


def test_sigterm_finishes_work_in_flight(transactional_db):  # type: ignore[no-untyped-def]
    _world()
    with radius_server() as server:
        replies = load(["dup1", "late1"], [server.auth_port])
        assert all(r is not None and r.code == codec.ACCESS_ACCEPT for r in replies.values())
        assert server.stop() == 0


def test_sigterm_is_logged_as_a_clean_stop(transactional_db):  # type: ignore[no-untyped-def]
    _world()
    with radius_server() as server:
        load(["dup1"], [server.auth_port])
        server.stop()
        assert "radius.stopped" in server.log()


def _kill_writer_and_log_in(login: str) -> list:  # type: ignore[type-arg]
    from django.db import connection

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
            replies.append(client.access(login, f"pass-{login}"))
            time.sleep(0.2)
        client.close()
    return replies


def test_writer_answers_after_a_lost_database_connection(transactional_db):  # type: ignore[no-untyped-def]
    """A database restart or a killed backend must not leave the server
    failing every request: the writer reconnects and carries on."""
    _world()
    replies = _kill_writer_and_log_in("late1")
    assert replies[-1] is not None and replies[-1].code == codec.ACCESS_ACCEPT


def test_writer_records_the_lease_after_a_lost_database_connection(transactional_db):  # type: ignore[no-untyped-def]
    _world()
    _kill_writer_and_log_in("late1")
    assert Lease.objects.filter(customer__login="late1", ended_at__isnull=True).count() == 1
