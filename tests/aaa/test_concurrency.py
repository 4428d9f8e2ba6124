"""Two server processes allocating for many logins at once, and a server
killed with SIGKILL mid-load: the database never holds one address twice,
and every Access-Accept that left the server is backed by a committed lease."""

from __future__ import annotations

import threading
import time

from django.db import connection

from lastmile.network.models import Lease
from lastmile.radius import codec
from tests.aaa.helpers import free_udp_port, load, make_customers, radius_server, start_server
from tests.factories import NasFactory, PoolFactory, TariffFactory

# The servers are other processes: the tests use transactional_db.


def _address_of(reply: codec.Packet | None) -> str | None:
    if reply is None or reply.code != codec.ACCESS_ACCEPT:
        return None
    import ipaddress

    return str(ipaddress.IPv4Address(reply.attrs[codec.FRAMED_IP_ADDRESS]))


def _assert_database_invariants() -> dict[str, str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT address, count(*) FROM network_lease WHERE ended_at IS NULL"
            " GROUP BY address HAVING count(*) > 1"
        )
        assert cur.fetchall() == []
        cur.execute(
            "SELECT count(*) FROM network_lease l LEFT JOIN customers_customer c"
            " ON c.id = l.customer_id WHERE l.ended_at IS NULL AND c.id IS NULL"
        )
        assert cur.fetchone()[0] == 0
        cur.execute(
            "SELECT c.login, host(l.address) FROM network_lease l"
            " JOIN customers_customer c ON c.id = l.customer_id WHERE l.ended_at IS NULL"
        )
        return dict(cur.fetchall())


def test_two_processes_never_hand_out_one_address_twice(transactional_db):  # type: ignore[no-untyped-def]
    NasFactory(address="127.0.0.1")
    tariff = TariffFactory()
    PoolFactory(name="big", network="10.96.0.0/18")
    make_customers(10_000, prefix="c", tariff=tariff)
    logins = [f"c{n}" for n in range(10_000)]
    with radius_server() as one, radius_server() as two:
        replies = load(logins, [one.auth_port, two.auth_port], in_flight=96)
    addresses = {login: _address_of(reply) for login, reply in replies.items()}
    assert all(addresses.values()), [k for k, v in addresses.items() if not v][:5]
    assert len(set(addresses.values())) == 10_000
    in_database = _assert_database_invariants()
    assert in_database == addresses


def test_kill_9_mid_load_leaves_consistent_leases(transactional_db):  # type: ignore[no-untyped-def]
    NasFactory(address="127.0.0.1")
    tariff = TariffFactory()
    PoolFactory(name="big", network="10.97.0.0/20")
    make_customers(3000, prefix="k", tariff=tariff)
    logins = [f"k{n}" for n in range(3000)]
    auth_port, acct_port = free_udp_port(), free_udp_port()
    server = start_server(auth_port=auth_port, acct_port=acct_port)
    replacement = []

    def killer() -> None:
        time.sleep(1.0)
        server.stop("kill")
        replacement.append(start_server(auth_port=auth_port, acct_port=acct_port))

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        replies = load(logins, [auth_port], in_flight=64, timeout=2.0, attempts=15)
    finally:
        thread.join()
        for s in replacement:
            s.stop()
    assert server.process.returncode == -9
    in_database = _assert_database_invariants()
    for login, reply in replies.items():
        address = _address_of(reply)
        if address is not None:  # an accept that left the server was committed
            assert in_database[login] == address
    assert Lease.objects.filter(ended_at__isnull=True).count() == len(in_database)
