"""Debian's radclient against a running ``lastmile radius``."""

from __future__ import annotations

import ipaddress
import shutil

import pytest

from lastmile.network.models import AccessBinding, Lease, Pool, Session
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
    nas = NasFactory(
        name="bras", address="127.0.0.1", vendor="mikrotik", require_message_authenticator=True
    )
    tariff = TariffFactory(rate_down_kbps=100000, rate_up_kbps=50000)
    pool = PoolFactory(name="main", network="10.77.0.0/24", kind="dynamic")
    users = {}
    for login in ("user1", "user2", "chapuser", "static2", "moved"):
        users[login] = CustomerFactory(login=login, pppoe_secret=f"pass-{login}")
        SubscriptionFactory(customer=users[login], tariff=tariff)
    users["disabled"] = CustomerFactory(pppoe=True, login="disabled", blocked=True)
    SubscriptionFactory(customer=users["disabled"], tariff=tariff)
    users["broke"] = CustomerFactory(pppoe=True, login="broke")  # no subscription
    users["ipoe"] = CustomerFactory(pppoe=True, login="ipoe-house-7")
    SubscriptionFactory(customer=users["ipoe"], tariff=tariff)
    AccessBinding.objects.create(customer=users["ipoe"], remote_id="sw-7", circuit_id="eth1/0/5")
    # static2 holds a static address besides its dynamic one: speed is split.
    Lease.objects.create(address="10.77.0.200", pool=pool, customer=users["static2"], kind="static")
    return {"nas": nas, "tariff": tariff, "pool": pool, **users}


def test_pap_accept_carries_address_speed_and_timers(world):  # type: ignore[no-untyped-def]
    with radius_server() as server:
        code, attrs = radclient(
            server.auth_port,
            "auth",
            'User-Name = "user1", User-Password = "pass-user1", Message-Authenticator = 0x00,'
            ' Calling-Station-Id = "AA:BB:CC:00:00:01"',
        )
    assert code == "Access-Accept"
    address = attrs["Framed-IP-Address"]
    assert ipaddress.ip_address(address) in ipaddress.ip_network("10.77.0.0/24")
    assert attrs["Mikrotik-Rate-Limit"] == "50000k/100000k"
    assert attrs["Acct-Interim-Interval"] == "300"
    assert 0 < int(attrs["Session-Timeout"]) <= 86400
    lease = Lease.objects.get(customer=world["user1"], ended_at__isnull=True)
    assert lease.address == address
    assert lease.mac == "aa:bb:cc:00:00:01"


def test_chap_and_reauth_keep_the_same_address(world):  # type: ignore[no-untyped-def]
    with radius_server() as server:
        first = radclient(
            server.auth_port,
            "auth",
            'User-Name = "chapuser", CHAP-Password = "pass-chapuser", Message-Authenticator = 0x00',
        )
        again = radclient(
            server.auth_port,
            "auth",
            'User-Name = "chapuser", CHAP-Password = "pass-chapuser", Message-Authenticator = 0x00',
        )
        wrong = radclient(
            server.auth_port,
            "auth",
            'User-Name = "chapuser", CHAP-Password = "nope", Message-Authenticator = 0x00',
        )
    assert first[0] == "Access-Accept"
    assert again[1]["Framed-IP-Address"] == first[1]["Framed-IP-Address"]
    assert wrong == ("Access-Reject", {"Reply-Message": "Wrong password"})
    assert Lease.objects.filter(customer=world["chapuser"]).count() == 1


def test_each_refusal_has_its_reply_message(world):  # type: ignore[no-untyped-def]
    # A one-address pool for one group makes "no free address" reachable.
    from lastmile.customers.models import CustomerGroup

    group = CustomerGroup.objects.create(name="tiny")
    tiny = PoolFactory(
        name="tiny", network="10.78.0.0/30", range_start="10.78.0.1", range_end="10.78.0.1"
    )
    tiny.groups.add(group)
    full1 = CustomerFactory(pppoe=True, login="full1", group=group)
    full2 = CustomerFactory(pppoe=True, login="full2", group=group)
    for c in (full1, full2):
        SubscriptionFactory(customer=c, tariff=world["tariff"])
    cases = {
        "Unknown login": 'User-Name = "nobody", User-Password = "x"',
        "Wrong password": 'User-Name = "user1", User-Password = "wrong"',
        "Account disabled": 'User-Name = "disabled", User-Password = "pass-disabled"',
        "No paid subscription: top up your balance": 'User-Name = "broke", User-Password = "pass-broke"',
    }
    with radius_server() as server:
        for message, line in cases.items():
            code, attrs = radclient(
                server.auth_port, "auth", line + ", Message-Authenticator = 0x00"
            )
            assert (code, attrs.get("Reply-Message")) == ("Access-Reject", message), line
        ok = radclient(
            server.auth_port,
            "auth",
            'User-Name = "full1", User-Password = "pass-full1", Message-Authenticator = 0x00',
        )
        assert ok[0] == "Access-Accept" and ok[1]["Framed-IP-Address"] == "10.78.0.1"
        full = radclient(
            server.auth_port,
            "auth",
            'User-Name = "full2", User-Password = "pass-full2", Message-Authenticator = 0x00',
        )
        assert full == ("Access-Reject", {"Reply-Message": "No free address in the pool"})
        # The lease was given to one router; another asking for it is refused.
        mine = radclient(
            server.auth_port,
            "auth",
            'User-Name = "user2", User-Password = "pass-user2", Calling-Station-Id = "aa-aa-aa-aa-aa-01", Message-Authenticator = 0x00',
        )
        other = radclient(
            server.auth_port,
            "auth",
            'User-Name = "user2", User-Password = "pass-user2", Calling-Station-Id = "bb-bb-bb-bb-bb-02", Message-Authenticator = 0x00',
        )
        assert mine[0] == "Access-Accept"
        assert other == ("Access-Reject", {"Reply-Message": "Equipment does not match the lease"})
        log = server.log()
    assert "equipment_mismatch" in log


def test_guest_pool_for_a_customer_without_money(world):  # type: ignore[no-untyped-def]
    PoolFactory(name="guest", network="10.79.0.0/24", kind="guest")
    with radius_server() as server:
        code, attrs = radclient(
            server.auth_port,
            "auth",
            'User-Name = "broke", User-Password = "pass-broke", Message-Authenticator = 0x00',
        )
        disabled = radclient(
            server.auth_port,
            "auth",
            'User-Name = "disabled", User-Password = "pass-disabled", Message-Authenticator = 0x00',
        )
    assert code == "Access-Accept"
    assert attrs["Framed-IP-Address"].startswith("10.79.0.")
    assert attrs["Mikrotik-Address-List"] == "lastmile-guest"
    assert "Mikrotik-Rate-Limit" not in attrs
    assert disabled[0] == "Access-Reject"


def test_speed_is_split_across_the_customers_addresses(world):  # type: ignore[no-untyped-def]
    with radius_server() as server:
        code, attrs = radclient(
            server.auth_port,
            "auth",
            'User-Name = "static2", User-Password = "pass-static2", Message-Authenticator = 0x00',
        )
    assert code == "Access-Accept"
    assert attrs["Framed-IP-Address"] == "10.77.0.200"  # the static one
    # Two addresses would split it; with only the static one it is whole.
    assert attrs["Mikrotik-Rate-Limit"] == "50000k/100000k"
    second = Pool.objects.create(name="second", kind="dynamic", network="10.80.0.0/24")
    Lease.objects.create(address="10.80.0.9", pool=second, customer=world["static2"], kind="static")
    with radius_server() as server:
        code, attrs = radclient(
            server.auth_port,
            "auth",
            'User-Name = "static2", User-Password = "pass-static2", Message-Authenticator = 0x00',
        )
    assert attrs["Mikrotik-Rate-Limit"] == "25000k/50000k"


def test_ipoe_by_option_82(world):  # type: ignore[no-untyped-def]
    with radius_server() as server:
        code, attrs = radclient(
            server.auth_port,
            "auth",
            'User-Name = "00:11:22:33:44:55", User-Password = "", ADSL-Agent-Remote-Id = "sw-7",'
            ' ADSL-Agent-Circuit-Id = "eth1/0/5", Message-Authenticator = 0x00',
        )
        wrong_port = radclient(
            server.auth_port,
            "auth",
            'User-Name = "00:11:22:33:44:56", ADSL-Agent-Remote-Id = "sw-7",'
            ' ADSL-Agent-Circuit-Id = "eth1/0/6", Message-Authenticator = 0x00',
        )
    assert code == "Access-Accept"
    lease = Lease.objects.get(customer=world["ipoe"])
    assert (lease.remote_id, lease.circuit_id) == ("sw-7", "eth1/0/5")
    assert attrs["Framed-IP-Address"] == lease.address
    assert wrong_port == ("Access-Reject", {"Reply-Message": "Unknown login"})


def test_ipoe_by_a_binary_option_82_bound_as_hex_text(world):  # type: ignore[no-untyped-def]
    # The Cisco/D-Link default layout: circuit-id VLAN 100, module 1, port 5;
    # remote-id the switch MAC. Staff entered the binding as hex text.
    customer = CustomerFactory(pppoe=True, login="ipoe-binary")
    SubscriptionFactory(customer=customer, tariff=world["tariff"])
    AccessBinding.objects.create(
        customer=customer, remote_id="0x0006001122334455", circuit_id="0x000400640105"
    )
    with radius_server() as server:
        code, _attrs = radclient(
            server.auth_port,
            "auth",
            'User-Name = "x", ADSL-Agent-Remote-Id = 0x0006001122334455,'
            " ADSL-Agent-Circuit-Id = 0x000400640105, Message-Authenticator = 0x00",
        )
        again, again_attrs = radclient(
            server.auth_port,
            "auth",
            'User-Name = "x", ADSL-Agent-Remote-Id = 0x0006001122334455,'
            " ADSL-Agent-Circuit-Id = 0x000400640105, Message-Authenticator = 0x00",
        )
        unknown = radclient(
            server.auth_port,
            "auth",
            'User-Name = "x", ADSL-Agent-Remote-Id = 0xfffe00,'
            " ADSL-Agent-Circuit-Id = 0x01, Message-Authenticator = 0x00",
        )
    assert code == "Access-Accept"
    lease = Lease.objects.get(customer=customer, ended_at__isnull=True)
    # The renewal from the same port keeps the lease (the equipment check compares ports).
    assert (again, again_attrs["Framed-IP-Address"]) == ("Access-Accept", lease.address)
    assert "\x00" not in lease.remote_id + lease.circuit_id
    assert unknown == (
        "Access-Reject",
        {"Reply-Message": "Option 82 not understood: unknown switch port format"},
    )
    assert "no_match" in server.log()


def test_accounting_start_interim_stop_with_gigawords(world):  # type: ignore[no-untyped-def]
    base = 'User-Name = "user1", Acct-Session-Id = "s-100", Framed-IP-Address = 10.77.0.5'
    with radius_server() as server:
        start = radclient(server.acct_port, "acct", base + ", Acct-Status-Type = Start")
        interim = radclient(
            server.acct_port,
            "acct",
            base + ", Acct-Status-Type = Interim-Update, Acct-Session-Time = 60,"
            " Acct-Input-Octets = 100, Acct-Input-Gigawords = 2, Acct-Output-Octets = 7,"
            " Acct-Output-Gigawords = 1",
        )
        session = Session.objects.get(acct_session_id="s-100")
        assert session.stopped_at is None
        assert session.octets_in == 2 * 2**32 + 100
        assert session.octets_out == 2**32 + 7
        # A retransmitted (older) interim changes nothing; stop closes the session.
        radclient(
            server.acct_port,
            "acct",
            base + ", Acct-Status-Type = Interim-Update, Acct-Input-Octets = 5",
        )
        stop = radclient(
            server.acct_port,
            "acct",
            base + ", Acct-Status-Type = Stop, Acct-Session-Time = 90, Acct-Input-Octets = 200,"
            " Acct-Input-Gigawords = 2, Acct-Terminate-Cause = User-Request",
        )
        again = radclient(
            server.acct_port, "acct", base + ", Acct-Status-Type = Stop, Acct-Session-Time = 90"
        )
    assert start[0] == interim[0] == stop[0] == again[0] == "Accounting-Response"
    session = Session.objects.get(acct_session_id="s-100")
    assert Session.objects.filter(acct_session_id="s-100").count() == 1
    assert session.customer == world["user1"]
    assert session.stopped_at is not None
    assert session.terminate_cause == "User-Request"
    assert session.octets_in == 2 * 2**32 + 200
    assert session.octets_out == 2**32 + 7
    assert session.session_time_s == 90


def test_wrong_secret_is_dropped(world):  # type: ignore[no-untyped-def]
    with radius_server() as server:
        auth = radclient(
            server.auth_port,
            "auth",
            'User-Name = "user1", User-Password = "pass-user1", Message-Authenticator = 0x00',
            secret="wrong",
        )
        acct = radclient(
            server.acct_port,
            "acct",
            'User-Name = "user1", Acct-Session-Id = "x", Acct-Status-Type = Start',
            secret="wrong",
        )
        # Without Message-Authenticator a NAS marked "require" is ignored too.
        bare = radclient(
            server.auth_port, "auth", 'User-Name = "user1", User-Password = "pass-user1"'
        )
        log = server.log()
    assert auth[0] == acct[0] == bare[0] == ""
    assert "bad_message_authenticator" in log
    assert "missing_message_authenticator" in log
    assert not Session.objects.exists()
