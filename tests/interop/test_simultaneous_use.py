"""Simultaneous-Use (LASTMILE_RADIUS_SIMULTANEOUS_USE, default 1) with the real
server: radclient as NAS A (127.0.0.1), the test client as NAS B (127.0.0.2)."""

from __future__ import annotations

import shutil
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from lastmile.aaa.access import SESSION_RECHECK_S
from lastmile.network.models import Session
from lastmile.radius import codec
from tests.aaa.helpers import Client, radius_server
from tests.factories import (
    CustomerFactory,
    NasFactory,
    PoolFactory,
    SubscriptionFactory,
    TariffFactory,
)
from tests.interop.radclient import radclient

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(shutil.which("radclient") is None, reason="freeradius-utils not installed"),
]


@pytest.fixture
def world(transactional_db):  # type: ignore[no-untyped-def]
    nas_a = NasFactory(name="bras-a", address="127.0.0.1")
    nas_b = NasFactory(name="bras-b", address="127.0.0.2")
    PoolFactory(name="main", network="10.57.0.0/24", kind="dynamic")
    anna = CustomerFactory(login="anna", pppoe_secret="pass-anna")
    SubscriptionFactory(customer=anna, tariff=TariffFactory())
    return {"nas_a": nas_a, "nas_b": nas_b, "anna": anna}


def _auth_on_a(port: int, nas_port: str = "eth1:100") -> tuple[str, dict[str, str]]:
    return radclient(
        port,
        "auth",
        f'User-Name = "anna", User-Password = "pass-anna", NAS-Port-Id = "{nas_port}",'
        " Message-Authenticator = 0x00",
    )


def _acct_on_a(port: int, status: str, address: str) -> None:
    code, _ = radclient(
        port,
        "acct",
        f'User-Name = "anna", Acct-Session-Id = "s-a", Framed-IP-Address = {address},'
        f' NAS-Port-Id = "eth1:100", Acct-Status-Type = {status}',
    )
    assert code == "Accounting-Response"


def _auth_on_b(port: int) -> codec.Packet:
    client = Client(port, source="127.0.0.2")
    try:
        reply = client.access(
            "anna", "pass-anna", extra=codec.attr_text(codec.NAS_PORT_ID, "ge-0/0/1")
        )
    finally:
        client.close()
    assert reply is not None
    return reply


def test_a_second_login_is_refused_until_the_first_session_stops(world):  # type: ignore[no-untyped-def]
    with radius_server() as server:
        code, attrs = _auth_on_a(server.auth_port)
        assert code == "Access-Accept"
        address = attrs["Framed-IP-Address"]
        _acct_on_a(server.acct_port, "Start", address)
        refused = _auth_on_b(server.auth_port)
        assert refused.code == codec.ACCESS_REJECT
        assert refused.text(codec.REPLY_MESSAGE) == "Already online: only 1 session(s) allowed"
        # The same line re-authenticating is not a second session.
        assert _auth_on_a(server.auth_port)[0] == "Access-Accept"
        # Another line on the same NAS is.
        code, attrs = _auth_on_a(server.auth_port, nas_port="eth1:101")
        assert (code, attrs.get("Reply-Message")) == (
            "Access-Reject",
            "Already online: only 1 session(s) allowed",
        )
        _acct_on_a(server.acct_port, "Stop", address)
        assert _auth_on_b(server.auth_port).code == codec.ACCESS_ACCEPT


def _open_session(nas, customer, *, age_s: int) -> Session:  # type: ignore[no-untyped-def]
    at = timezone.now() - timedelta(seconds=age_s)
    return Session.objects.create(
        nas=nas, acct_session_id=f"old-{age_s}", customer=customer, login="anna",
        started_at=at, updated_at=at, interim_interval_s=300,
    )  # fmt: skip


def test_sessions_open_at_start_count_unless_stale(world):  # type: ignore[no-untyped-def]
    # Written before the server started (by another node, or before a restart).
    _open_session(world["nas_a"], world["anna"], age_s=3 * 300 + 60)  # stale
    fresh = _open_session(world["nas_a"], world["anna"], age_s=30)
    with radius_server() as server:
        refused = _auth_on_b(server.auth_port)
        assert refused.code == codec.ACCESS_REJECT
        assert refused.text(codec.REPLY_MESSAGE) == "Already online: only 1 session(s) allowed"
    fresh.delete()
    with radius_server() as server:
        assert _auth_on_b(server.auth_port).code == codec.ACCESS_ACCEPT


def test_accounting_on_frees_the_slots_of_that_nas(world):  # type: ignore[no-untyped-def]
    with radius_server() as server:
        _, attrs = _auth_on_a(server.auth_port)
        _acct_on_a(server.acct_port, "Start", attrs["Framed-IP-Address"])
        assert _auth_on_b(server.auth_port).code == codec.ACCESS_REJECT
        code, _ = radclient(
            server.acct_port, "acct", "Acct-Status-Type = Accounting-On, NAS-IP-Address = 127.0.0.1"
        )
        assert code == "Accounting-Response"
        assert _auth_on_b(server.auth_port).code == codec.ACCESS_ACCEPT


def test_unlimited_when_set_to_zero(world):  # type: ignore[no-untyped-def]
    with radius_server(extra_env={"LASTMILE_RADIUS_SIMULTANEOUS_USE": "0"}) as server:
        _, attrs = _auth_on_a(server.auth_port)
        _acct_on_a(server.acct_port, "Start", attrs["Framed-IP-Address"])
        assert _auth_on_b(server.auth_port).code == codec.ACCESS_ACCEPT


def test_a_customers_own_limit_reaches_the_running_server(world):  # type: ignore[no-untyped-def]
    """Staff give Anna two sessions (the customer service, as the page and the
    API do): the running server learns it by LISTEN/NOTIFY and lets the
    second login in; back to the server's setting, it is refused again."""
    from lastmile.customers.services import update_customer

    with radius_server() as server:
        _, attrs = _auth_on_a(server.auth_port)
        _acct_on_a(server.acct_port, "Start", attrs["Framed-IP-Address"])
        assert _auth_on_b(server.auth_port).code == codec.ACCESS_REJECT
        update_customer(customer=world["anna"], changes={"simultaneous_use": 2}, actor=None)
        for _ in range(50):
            if _auth_on_b(server.auth_port).code == codec.ACCESS_ACCEPT:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the running server did not learn Anna's own limit")
        update_customer(customer=world["anna"], changes={"simultaneous_use": None}, actor=None)
        for _ in range(50):
            refused = _auth_on_b(server.auth_port)
            if refused.code == codec.ACCESS_REJECT:
                break
            time.sleep(0.1)
        assert refused.text(codec.REPLY_MESSAGE) == "Already online: only 1 session(s) allowed"


def test_a_session_another_node_stopped_does_not_refuse_the_next_login(world):  # type: ignore[no-untyped-def]
    """The server loaded Anna's open session at start; another RADIUS node
    then recorded its Stop (here: the row is stopped in the database, as that
    node's writer would).  This node's cache still counts it, so it re-reads
    her sessions before refusing, and lets her in."""
    session = _open_session(world["nas_a"], world["anna"], age_s=30)
    with radius_server() as server:
        assert _auth_on_b(server.auth_port).code == codec.ACCESS_REJECT
        Session.objects.filter(pk=session.pk).update(
            stopped_at=timezone.now(), terminate_cause="User-Request"
        )
        time.sleep(SESSION_RECHECK_S)  # the refusal above re-read them already
        assert _auth_on_b(server.auth_port).code == codec.ACCESS_ACCEPT
