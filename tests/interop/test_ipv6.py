"""Dual stack against the real server and Debian's radclient: an IPv4 address,
a Framed-IPv6-Prefix and a Delegated-IPv6-Prefix in one Accept, the same ones
on re-auth, nothing new for a customer whose pools are IPv4 only, and the
prefixes kept by the session and held after its Stop like an address."""

from __future__ import annotations

import ipaddress
import shutil

import pytest

from lastmile.network.models import Lease
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

LOGIN = 'User-Name = "{0}", User-Password = "pass-{0}", Message-Authenticator = 0x00'


@pytest.fixture
def world(transactional_db):  # type: ignore[no-untyped-def]
    NasFactory(name="bras", address="127.0.0.1", vendor="mikrotik")
    tariff = TariffFactory()
    v4only = TariffFactory()
    PoolFactory(name="v4", network="10.78.0.0/24", kind="dynamic")
    wan = PoolFactory(
        name="wan6", network="2001:db8:100::/40", kind="dynamic",
        delegated_prefix_length=64, ipv6_use="framed",
    )  # fmt: skip
    pd = PoolFactory(
        name="pd6", network="2001:db8:f000::/36", kind="dynamic",
        delegated_prefix_length=56, ipv6_use="delegated",
    )  # fmt: skip
    wan.tariffs.add(tariff)
    pd.tariffs.add(tariff)
    users = {}
    for login, plan in (("dual", tariff), ("dual2", tariff), ("v4user", v4only)):
        users[login] = CustomerFactory(login=login, pppoe_secret=f"pass-{login}")
        SubscriptionFactory(customer=users[login], tariff=plan)
    return users


def test_accept_carries_both_prefixes_and_reauth_keeps_them(world):  # type: ignore[no-untyped-def]
    with radius_server() as server:
        code, first = radclient(server.auth_port, "auth", LOGIN.format("dual"))
        _, again = radclient(server.auth_port, "auth", LOGIN.format("dual"))
        _, other = radclient(server.auth_port, "auth", LOGIN.format("dual2"))
    assert code == "Access-Accept"
    framed = ipaddress.IPv6Network(first["Framed-IPv6-Prefix"])
    delegated = ipaddress.IPv6Network(first["Delegated-IPv6-Prefix"])
    assert framed.prefixlen == 64 and framed.subnet_of(ipaddress.IPv6Network("2001:db8:100::/40"))
    assert delegated.prefixlen == 56
    assert delegated.subnet_of(ipaddress.IPv6Network("2001:db8:f000::/36"))
    assert ipaddress.ip_address(first["Framed-IP-Address"]).version == 4
    for name in ("Framed-IP-Address", "Framed-IPv6-Prefix", "Delegated-IPv6-Prefix"):
        assert again[name] == first[name]
        assert other[name] != first[name]
    leases = Lease.objects.filter(customer=world["dual"], ended_at__isnull=True)
    assert sorted(x.prefix for x in leases if x.prefix_length) == sorted(
        [str(framed), str(delegated)]
    )


def test_ipv4_only_customer_gets_exactly_the_ipv4_accept(world):  # type: ignore[no-untyped-def]
    with radius_server() as server:
        code, attrs = radclient(server.auth_port, "auth", LOGIN.format("v4user"))
    assert code == "Access-Accept"
    assert "Framed-IPv6-Prefix" not in attrs and "Delegated-IPv6-Prefix" not in attrs
    assert Lease.objects.filter(customer=world["v4user"]).count() == 1
