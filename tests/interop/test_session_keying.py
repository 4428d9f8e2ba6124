"""Sessions never land on another customer's account (issue 13, the seed:
"one account has 2 sessions, another none; one charge, two users").

A session row is keyed by (NAS, Acct-Session-Id).  A NAS that reboots starts
its session counter again, so a new subscriber's Start can carry the id of
an old session of someone else; and a NAS can report a login together with
an address that lastmile leased to another customer.  The real server and
radclient as the NAS."""

from __future__ import annotations

import shutil
import time

import pytest

from lastmile.network.models import Session
from tests.aaa.helpers import radius_server
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
    NasFactory(name="bras-a", address="127.0.0.1")
    PoolFactory(name="main", network="10.56.0.0/24", kind="dynamic")
    tariff = TariffFactory()
    users = {}
    for login in ("anna", "boris"):
        users[login] = CustomerFactory(login=login, pppoe_secret=f"pass-{login}")
        SubscriptionFactory(customer=users[login], tariff=tariff)
    return users


def _login(port: int, login: str) -> str:
    code, attrs = radclient(
        port,
        "auth",
        f'User-Name = "{login}", User-Password = "pass-{login}", Message-Authenticator = 0x00',
    )
    assert code == "Access-Accept", login
    return attrs["Framed-IP-Address"]


def _acct(
    port: int, status: str, login: str, session_id: str, address: str, time_s: int = 0
) -> None:
    code, _ = radclient(
        port,
        "acct",
        f'User-Name = "{login}", Acct-Session-Id = "{session_id}", Framed-IP-Address = {address},'
        f" Acct-Status-Type = {status}, Acct-Session-Time = {time_s}",
    )
    assert code == "Accounting-Response", (status, login)


def _sessions(customer) -> list[Session]:  # type: ignore[no-untyped-def]
    return list(Session.objects.filter(customer=customer).order_by("started_at"))


def test_a_reused_session_id_after_a_nas_reboot_makes_a_new_session_of_the_new_user(world):  # type: ignore[no-untyped-def]
    anna, boris = world["anna"], world["boris"]
    with radius_server() as server:
        anna_ip = _login(server.auth_port, "anna")
        _acct(server.acct_port, "Start", "anna", "00000001", anna_ip)
        _acct(server.acct_port, "Stop", "anna", "00000001", anna_ip, time_s=60)
        # The NAS reboots, its counter starts again: Boris gets session 00000001.
        boris_ip = _login(server.auth_port, "boris")
        _acct(server.acct_port, "Start", "boris", "00000001", boris_ip)
        _acct(server.acct_port, "Interim-Update", "boris", "00000001", boris_ip, time_s=300)
    [annas] = _sessions(anna)
    [boriss] = _sessions(boris)
    assert (annas.login, str(annas.address), annas.session_time_s) == ("anna", anna_ip, 60)
    assert annas.stopped_at is not None
    assert (boriss.login, str(boriss.address), boriss.stopped_at) == ("boris", boris_ip, None)
    assert boriss.acct_session_id == "00000001"


def test_the_same_user_reusing_a_stopped_session_id_gets_a_new_session(world):  # type: ignore[no-untyped-def]
    """The upsert's guard, not a query before it, keeps a new Start off the
    older stopped session of the same customer (a NAS reboot)."""
    anna = world["anna"]
    with radius_server() as server:
        ip = _login(server.auth_port, "anna")
        _acct(server.acct_port, "Start", "anna", "00000007", ip)
        _acct(server.acct_port, "Stop", "anna", "00000007", ip, time_s=60)
        time.sleep(1.2)  # a Start more than a second later is another session
        _acct(server.acct_port, "Start", "anna", "00000007", ip)
        _acct(server.acct_port, "Start", "anna", "00000007", ip)  # a retransmission
    old, new = _sessions(anna)
    assert (old.session_time_s, old.acct_session_id) == (60, f"00000007~{old.pk}")
    assert old.stopped_at is not None
    assert (new.acct_session_id, new.stopped_at, new.session_time_s) == ("00000007", None, 0)


def test_a_login_with_another_customers_address_is_attached_to_nobody(world):  # type: ignore[no-untyped-def]
    anna, boris = world["anna"], world["boris"]
    with radius_server() as server:
        _login(server.auth_port, "anna")
        boris_ip = _login(server.auth_port, "boris")
        # A NAS that says "anna" on Boris's address: one of the two is wrong,
        # so the session is on neither account (and the server says so).
        _acct(server.acct_port, "Start", "anna", "s-odd", boris_ip)
        _acct(server.acct_port, "Start", "boris", "s-boris", boris_ip)
        log = server.log()
    assert [s.acct_session_id for s in _sessions(anna)] == []
    assert [s.acct_session_id for s in _sessions(boris)] == ["s-boris"]
    odd = Session.objects.get(acct_session_id="s-odd")
    assert odd.customer_id is None and odd.login == "anna"
    assert "radius.session_owner_conflict" in log


def test_the_same_session_id_on_two_nases_is_two_sessions(world):  # type: ignore[no-untyped-def]
    from lastmile.radius import codec
    from tests.aaa.helpers import Client

    NasFactory(name="bras-b", address="127.0.0.2")
    anna, boris = world["anna"], world["boris"]
    with radius_server() as server:
        anna_ip = _login(server.auth_port, "anna")
        _acct(server.acct_port, "Start", "anna", "42", anna_ip)
        b_auth = Client(server.auth_port, source="127.0.0.2")
        b_acct = Client(server.acct_port, source="127.0.0.2")
        try:
            accept = b_auth.access("boris", "pass-boris")
            assert accept is not None and accept.code == codec.ACCESS_ACCEPT
            reply = b_acct.accounting(
                codec.attr_text(codec.USER_NAME, "boris")
                + codec.attr_text(codec.ACCT_SESSION_ID, "42")
                + codec.attr(codec.FRAMED_IP_ADDRESS, accept.attrs[codec.FRAMED_IP_ADDRESS])
                + codec.attr_int(codec.ACCT_STATUS_TYPE, codec.ACCT_START)
            )
            assert reply is not None and reply.code == codec.ACCOUNTING_RESPONSE
        finally:
            b_auth.close()
            b_acct.close()
    assert [s.acct_session_id for s in _sessions(anna)] == ["42"]
    assert [s.acct_session_id for s in _sessions(boris)] == ["42"]


def test_an_interim_of_another_customer_under_an_open_session_id_never_updates_it(world):  # type: ignore[no-untyped-def]
    """Boris's Start was lost; his first packet is an Interim-Update (then a
    Stop) that carries the id of Anna's session, still open.  The upsert's
    guard keeps Anna's row as it was; Boris gets a session of his own."""
    anna, boris = world["anna"], world["boris"]
    with radius_server() as server:
        anna_ip = _login(server.auth_port, "anna")
        _acct(server.acct_port, "Start", "anna", "00000007", anna_ip)
        _acct(server.acct_port, "Interim-Update", "anna", "00000007", anna_ip, time_s=30)
        boris_ip = _login(server.auth_port, "boris")
        _acct(server.acct_port, "Interim-Update", "boris", "00000007", boris_ip, time_s=900)
        _acct(server.acct_port, "Stop", "boris", "00000007", boris_ip, time_s=960)
    [annas] = _sessions(anna)
    [boriss] = _sessions(boris)
    assert (annas.login, str(annas.address), annas.session_time_s) == ("anna", anna_ip, 30)
    assert annas.terminate_cause == "Superseded"
    assert (boriss.login, str(boriss.address), boriss.session_time_s) == ("boris", boris_ip, 960)
    assert boriss.acct_session_id == "00000007"
    assert boriss.stopped_at is not None
