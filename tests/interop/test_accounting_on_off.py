"""Accounting-On / Accounting-Off (Acct-Status-Type 7 / 8): a NAS that
rebooted or stops accounting has none of its sessions left.  The real
server, radclient as NAS A (127.0.0.1), and the test client sending from
127.0.0.2 as NAS B."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from lastmile.customers.models import Customer
from lastmile.network.models import Lease, Session
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

HOLD = timedelta(seconds=300)  # lease_hold_after_stop_s


@pytest.fixture
def world(transactional_db):  # type: ignore[no-untyped-def]
    nas_a = NasFactory(name="bras-a", address="127.0.0.1")
    nas_b = NasFactory(name="bras-b", address="127.0.0.2")
    PoolFactory(name="main", network="10.55.0.0/24", kind="dynamic")
    tariff = TariffFactory()
    users = {}
    for login in ("a1", "a2", "a3", "b1"):
        users[login] = CustomerFactory(login=login, pppoe_secret=f"pass-{login}")
        SubscriptionFactory(customer=users[login], tariff=tariff)
    return {"nas_a": nas_a, "nas_b": nas_b, **users}


def _login_on_a(port: int, login: str) -> str:
    code, attrs = radclient(
        port,
        "auth",
        f'User-Name = "{login}", User-Password = "pass-{login}", Message-Authenticator = 0x00',
    )
    assert code == "Access-Accept", login
    return attrs["Framed-IP-Address"]


def _start_on_a(port: int, login: str, address: str) -> None:
    code, _ = radclient(
        port,
        "acct",
        f'User-Name = "{login}", Acct-Session-Id = "s-{login}", Framed-IP-Address = {address},'
        " Acct-Status-Type = Start",
    )
    assert code == "Accounting-Response", login


def _online_on_b(client: Client, acct: Client, login: str) -> str:
    accept = client.access(login, f"pass-{login}")
    assert accept is not None and accept.code == codec.ACCESS_ACCEPT
    address = accept.attrs[codec.FRAMED_IP_ADDRESS]
    started = acct.accounting(
        codec.attr_text(codec.USER_NAME, login)
        + codec.attr_text(codec.ACCT_SESSION_ID, f"s-{login}")
        + codec.attr(codec.FRAMED_IP_ADDRESS, address)
        + codec.attr_int(codec.ACCT_STATUS_TYPE, codec.ACCT_START)
    )
    assert started is not None and started.code == codec.ACCOUNTING_RESPONSE
    return ".".join(str(b) for b in address)


def _nas_reset_from_a(port: int, kind: str, delay_s: int = 0) -> str:
    code, _ = radclient(
        port,
        "acct",
        f"Acct-Status-Type = {kind}, NAS-IP-Address = 127.0.0.1, Acct-Delay-Time = {delay_s}",
    )
    return code


def _open(login: str) -> bool:
    return Session.objects.get(acct_session_id=f"s-{login}").stopped_at is None


def _lease(customer) -> Lease:  # type: ignore[no-untyped-def]
    return Lease.objects.get(customer=customer, ended_at__isnull=True)


def _expires_at(customer: Customer) -> datetime:
    expires_at = _lease(customer).expires_at
    assert expires_at is not None, "the open lease has no end"
    return expires_at


def test_accounting_on_closes_exactly_that_nas_sessions_and_releases_their_leases(world):  # type: ignore[no-untyped-def]
    with radius_server() as server:
        for login in ("a1", "a2"):
            _start_on_a(server.acct_port, login, _login_on_a(server.auth_port, login))
        b_auth = Client(server.auth_port, source="127.0.0.2")
        b_acct = Client(server.acct_port, source="127.0.0.2")
        try:
            _online_on_b(b_auth, b_acct, "b1")
        finally:
            b_auth.close()
            b_acct.close()
        assert _open("a1") and _open("a2") and _open("b1")
        before = timezone.now()
        assert _nas_reset_from_a(server.acct_port, "Accounting-On") == "Accounting-Response"
        assert not _open("a1") and not _open("a2")
        assert _open("b1")
    closed = Session.objects.get(acct_session_id="s-a1")
    assert closed.terminate_cause == "NAS-Reboot"
    # The addresses are held as after a Stop, then go back to the pool;
    # the other NAS's subscriber keeps a full lease.
    for login in ("a1", "a2"):
        assert _expires_at(world[login]) <= timezone.now() + HOLD
    assert _expires_at(world["b1"]) > before + 10 * HOLD


def test_accounting_on_and_off_are_idempotent_and_spare_newer_sessions(world):  # type: ignore[no-untyped-def]
    with radius_server() as server:
        _start_on_a(server.acct_port, "a1", _login_on_a(server.auth_port, "a1"))
        assert _nas_reset_from_a(server.acct_port, "Accounting-On") == "Accounting-Response"
        first = Session.objects.get(acct_session_id="s-a1")
        assert first.stopped_at is not None
        # After the reboot a2 comes online; a copy of the Accounting-On that
        # the NAS sends late (an hour of Acct-Delay-Time) leaves it alone.
        _start_on_a(server.acct_port, "a2", _login_on_a(server.auth_port, "a2"))
        assert (
            _nas_reset_from_a(server.acct_port, "Accounting-On", delay_s=3600)
            == "Accounting-Response"
        )
        assert _open("a2")
        again = Session.objects.get(acct_session_id="s-a1")
        assert (again.stopped_at, again.terminate_cause) == (first.stopped_at, "NAS-Reboot")
        # Accounting-Off closes what is open now, once.
        assert _nas_reset_from_a(server.acct_port, "Accounting-Off") == "Accounting-Response"
        assert not _open("a2")
        stopped = Session.objects.get(acct_session_id="s-a2").stopped_at
        assert _nas_reset_from_a(server.acct_port, "Accounting-Off") == "Accounting-Response"
        assert Session.objects.get(acct_session_id="s-a2").stopped_at == stopped
    assert Session.objects.filter(stopped_at__isnull=True).count() == 0


def test_a_subscriber_back_after_the_reboot_keeps_a_full_lease(world):  # type: ignore[no-untyped-def]
    # The server's cache learns the release too: the re-auth after the
    # reboot renews the lease instead of letting it run out under the
    # subscriber after the hold time.
    with radius_server() as server:
        address = _login_on_a(server.auth_port, "a1")
        _start_on_a(server.acct_port, "a1", address)
        assert _nas_reset_from_a(server.acct_port, "Accounting-On") == "Accounting-Response"
        assert _login_on_a(server.auth_port, "a1") == address
        back = timezone.now()
    assert _expires_at(world["a1"]) > back + 10 * HOLD
