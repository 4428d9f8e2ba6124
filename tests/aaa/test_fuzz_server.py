"""Truncated, oversized, wrong-length and random packets sent to a running
server never crash it and never change data."""

from __future__ import annotations

import os
import socket

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lastmile.network.models import Lease, Session
from lastmile.radius import codec
from tests.aaa.helpers import SECRET, Client, radius_server
from tests.factories import (
    CustomerFactory,
    NasFactory,
    PoolFactory,
    SubscriptionFactory,
    TariffFactory,
)


def _valid_access(login: str) -> bytes:
    return Client(0).access_packet(login, f"pass-{login}")


def _mutations() -> st.SearchStrategy[bytes]:
    valid = _valid_access("fuzz1")
    return st.one_of(
        st.binary(max_size=6000),
        st.integers(0, len(valid) - 1).map(lambda n: valid[:n]),  # truncated
        st.binary(min_size=1, max_size=4000).map(lambda extra: valid + extra),  # oversized
        st.integers(0, 65535).map(lambda n: valid[:2] + n.to_bytes(2, "big") + valid[4:]),
        st.tuples(st.integers(20, len(valid) - 1), st.integers(0, 255)).map(
            lambda p: valid[: p[0]] + bytes([p[1]]) + valid[p[0] + 1 :]
        ),
        st.binary(min_size=16, max_size=300).map(
            lambda b: bytes([4, 1]) + (20 + len(b)).to_bytes(2, "big") + os.urandom(16) + b
        ),
    )


def test_garbage_never_crashes_or_writes(transactional_db):  # type: ignore[no-untyped-def]
    NasFactory(address="127.0.0.1")
    PoolFactory(network="10.98.0.0/24")
    customer = CustomerFactory(pppoe=True, login="fuzz1")
    SubscriptionFactory(customer=customer, tariff=TariffFactory())
    with radius_server() as server:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

        @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
        @given(_mutations(), st.booleans())
        def send(data: bytes, to_acct: bool) -> None:
            sock.sendto(data, ("127.0.0.1", server.acct_port if to_acct else server.auth_port))

        send()
        sock.close()
        client = Client(server.auth_port)
        reply = client.access("fuzz1", "pass-fuzz1")
        client.close()
        assert server.process.poll() is None
        log = server.log()
    assert reply is not None and reply.code == codec.ACCESS_ACCEPT
    assert "Traceback" not in log
    # Only the one valid login wrote anything.
    assert Lease.objects.count() == 1
    assert not Session.objects.exists()
    assert SECRET  # the client used the NAS secret
