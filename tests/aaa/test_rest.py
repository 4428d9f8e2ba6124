"""The rlm_rest endpoint gives the RADIUS server's decision over HTTP, only
to a NAS token."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lastmile.aaa.rest import issue_nas_token
from tests.factories import (
    NasFactory,
    NetCustomerFactory,
    NetTariffFactory,
    PoolFactory,
    net_subscribe,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/aaa/rest/authorize"


def _post(token: str, body: dict) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = Client().post(
        URL, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    return response.status_code, response.json()


def test_accept_reject_and_token_required() -> None:
    nas = NasFactory(vendor="accel-ppp")
    token = issue_nas_token(nas=nas)
    PoolFactory(network="10.99.0.0/24")
    customer = NetCustomerFactory(login="rest1")
    net_subscribe(customer, NetTariffFactory(rate_down_kbps=30000, rate_up_kbps=10000))
    status, reply = _post(
        token,
        {
            "User-Name": {"type": "string", "value": ["rest1"]},
            "User-Password": {"value": ["pass-rest1"]},
        },
    )
    assert status == 200
    assert reply["reply:Framed-IP-Address"].startswith("10.99.0.")
    assert reply["reply:PPPD-Downstream-Speed-Limit"] == 30000
    again = _post(token, {"User-Name": "rest1", "User-Password": "pass-rest1"})[1]
    assert again["reply:Framed-IP-Address"] == reply["reply:Framed-IP-Address"]
    assert _post(token, {"User-Name": "rest1", "User-Password": "no"}) == (
        401,
        {"reply:Reply-Message": "Wrong password"},
    )
    assert _post("lmnas_wrong", {"User-Name": "rest1"})[0] == 401
    response = Client().post(URL, "{}", content_type="application/json")
    assert response.status_code == 401


def test_rest_leases_prefixes_renews_on_reauth_and_gives_guests_a_short_lease() -> None:
    import ipaddress
    from datetime import timedelta

    from django.utils import timezone

    from lastmile.network.models import Lease

    nas = NasFactory(vendor="mikrotik")
    token = issue_nas_token(nas=nas)
    PoolFactory(network="10.98.0.0/24")
    PoolFactory(network="10.97.0.0/24", kind="guest")
    PoolFactory(network="2001:db8:100::/40", delegated_prefix_length=64, ipv6_use="framed")
    PoolFactory(network="2001:db8:f000::/36", delegated_prefix_length=56, ipv6_use="delegated")
    customer = NetCustomerFactory(login="rest6")
    net_subscribe(
        customer,
        NetTariffFactory(
            rate_down_kbps=30000, rate_up_kbps=10000, burst_down_kbps=60000, burst_up_kbps=20000
        ),
    )
    login = {"User-Name": "rest6", "User-Password": "pass-rest6"}
    status, reply = _post(token, login)
    assert status == 200
    assert reply["reply:Mikrotik-Rate-Limit"] == "10000k/30000k 20000k/60000k"
    framed = ipaddress.IPv6Network(reply["reply:Framed-IPv6-Prefix"])
    delegated = ipaddress.IPv6Network(reply["reply:Delegated-IPv6-Prefix"])
    assert framed.prefixlen == 64 and framed.subnet_of(ipaddress.IPv6Network("2001:db8:100::/40"))
    assert delegated.prefixlen == 56
    assert Lease.objects.filter(customer=customer, ended_at__isnull=True).count() == 3
    # A lease with less than half of its time left is renewed by the re-auth.
    Lease.objects.filter(customer=customer).update(expires_at=timezone.now() + timedelta(hours=1))
    again = _post(token, login)[1]
    assert again == reply
    for lease in Lease.objects.filter(customer=customer, ended_at__isnull=True):
        assert lease.expires_at - timezone.now() > timedelta(hours=12)
    guest = NetCustomerFactory(login="rest-guest")
    status, reply = _post(token, {"User-Name": "rest-guest", "User-Password": "pass-rest-guest"})
    assert status == 200 and reply["reply:Mikrotik-Address-List"] == "lastmile-guest"
    assert "reply:Framed-IPv6-Prefix" not in reply
    lease = Lease.objects.get(customer=guest)
    assert lease.address.startswith("10.97.")
    assert lease.expires_at - timezone.now() <= timedelta(seconds=1200)
