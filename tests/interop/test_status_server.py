"""Status-Server (RFC 5997) against a running ``lastmile radius``, asked by
Debian's radclient: a NAS or a load balancer may probe that the server is
alive on each port, and a probe is never taken for a login."""

from __future__ import annotations

import os
import shutil

import pytest

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
from tests.interop.radclient import radclient, radclient_output

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(shutil.which("radclient") is None, reason="freeradius-utils not installed"),
]

PROBE = "Message-Authenticator = 0x00"


@pytest.fixture
def world(transactional_db):  # type: ignore[no-untyped-def]
    # The NAS does not require Message-Authenticator on Access-Request:
    # Status-Server needs it all the same.
    nas = NasFactory(address="127.0.0.1", require_message_authenticator=False)
    PoolFactory(name="main", network="10.66.0.0/24", kind="dynamic")
    user1 = CustomerFactory(login="user1", pppoe_secret="pass-user1")
    SubscriptionFactory(customer=user1, tariff=TariffFactory())
    return {"nas": nas, "user1": user1}


def _received_attributes(output: str) -> str:
    return output[output.index("Received ") :]


def test_status_server_is_answered_on_both_ports_with_message_authenticator(world):  # type: ignore[no-untyped-def]
    with radius_server() as server:
        auth = radclient_output(server.auth_port, "status", PROBE)
        acct = radclient_output(server.acct_port, "status", PROBE)
    assert "Received Access-Accept" in auth
    assert "Message-Authenticator" in _received_attributes(auth)
    assert "Received Accounting-Response" in acct
    assert "Message-Authenticator" in _received_attributes(acct)


def test_status_server_is_not_a_login(world):  # type: ignore[no-untyped-def]
    # Credentials in a probe are not looked at: no lease, no session, no
    # reject logged, and the Accept carries no address.
    with radius_server() as server:
        auth = radclient(
            server.auth_port,
            "status",
            'User-Name = "user1", User-Password = "pass-user1", ' + PROBE,
        )
        nobody = radclient(
            server.auth_port, "status", 'User-Name = "nobody", User-Password = "x", ' + PROBE
        )
        acct = radclient(
            server.acct_port,
            "status",
            'User-Name = "user1", Acct-Session-Id = "probe-1", Acct-Status-Type = Start, ' + PROBE,
        )
        log = server.log()
    assert auth == nobody == ("Access-Accept", {})
    assert acct == ("Accounting-Response", {})
    assert not Lease.objects.exists()
    assert not Session.objects.exists()
    assert "radius.reject" not in log


def test_status_server_without_message_authenticator_is_ignored(world):  # type: ignore[no-untyped-def]
    bare = bytes((codec.STATUS_SERVER, 7)) + (20).to_bytes(2, "big") + os.urandom(16)
    with radius_server() as server:
        replies = []
        for port in (server.auth_port, server.acct_port):
            client = Client(port, timeout=0.5)
            try:
                replies.append(client.exchange(bare, attempts=2))
            finally:
                client.close()
        log = server.log()
    assert replies == [None, None]
    assert log.count("radius.status_server_without_message_authenticator") >= 2


def test_status_server_with_a_wrong_secret_is_ignored(world):  # type: ignore[no-untyped-def]
    with radius_server() as server:
        auth = radclient(server.auth_port, "status", PROBE, secret="wrong")
        acct = radclient(server.acct_port, "status", PROBE, secret="wrong")
        log = server.log()
    assert auth == acct == ("", {})
    assert log.count("radius.bad_message_authenticator") >= 2


def test_status_server_from_an_unknown_client_is_ignored(world):  # type: ignore[no-untyped-def]
    world["nas"].address = "127.0.0.9"
    world["nas"].save()
    with radius_server() as server:
        auth = radclient(server.auth_port, "status", PROBE, secret=SECRET.decode())
        acct = radclient(server.acct_port, "status", PROBE, secret=SECRET.decode())
        log = server.log()
    assert auth == acct == ("", {})
    assert "radius.unknown_nas_dropped" in log
