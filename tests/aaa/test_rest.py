"""The rlm_rest endpoint gives the RADIUS server's decision over HTTP, only
to a NAS token."""

from __future__ import annotations

import ipaddress
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from lastmile.aaa.rest import issue_nas_token
from lastmile.network.models import Lease
from tests.factories import (
    CustomerFactory,
    NasFactory,
    PoolFactory,
    SubscriptionFactory,
    TariffFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/aaa/rest/authorize"


def _post(token: str, body: dict) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = Client().post(
        URL, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    return response.status_code, response.json()


# accel-ppp, IPv4 ----------------------------------------------------------------


@pytest.fixture
def accel_token() -> str:
    """An accel-ppp NAS token; ``rest1`` subscribed at 30/10 Mbit/s, pool 10.99.0.0/24."""
    token = issue_nas_token(nas=NasFactory(vendor="accel-ppp"))
    PoolFactory(network="10.99.0.0/24")
    SubscriptionFactory(
        customer=CustomerFactory(login="rest1", pppoe=True),
        tariff=TariffFactory(rate_down_kbps=30000, rate_up_kbps=10000),
    )
    return token


REST1 = {"User-Name": "rest1", "User-Password": "pass-rest1"}


def test_accept_gives_an_address_from_the_pool(accel_token: str) -> None:
    status, reply = _post(
        accel_token,
        {
            "User-Name": {"type": "string", "value": ["rest1"]},
            "User-Password": {"value": ["pass-rest1"]},
        },
    )
    assert status == 200
    assert reply["reply:Framed-IP-Address"].startswith("10.99.0.")


def test_accept_gives_the_tariff_speed_in_the_vendor_attribute(accel_token: str) -> None:
    reply = _post(accel_token, REST1)[1]
    assert reply["reply:PPPD-Downstream-Speed-Limit"] == 30000


def test_reauth_gives_the_same_address(accel_token: str) -> None:
    first = _post(accel_token, REST1)[1]
    again = _post(accel_token, REST1)[1]
    assert again["reply:Framed-IP-Address"] == first["reply:Framed-IP-Address"]


def test_wrong_password_is_rejected_with_a_message(accel_token: str) -> None:
    assert _post(accel_token, {"User-Name": "rest1", "User-Password": "no"}) == (
        401,
        {"reply:Reply-Message": "Wrong password"},
    )


def test_an_unknown_token_is_refused(accel_token: str) -> None:
    assert _post("lmnas_wrong", {"User-Name": "rest1"})[0] == 401


def test_a_request_without_a_token_is_refused(accel_token: str) -> None:
    response = Client().post(URL, "{}", content_type="application/json")
    assert response.status_code == 401


# MikroTik, IPv6, guests ------------------------------------------------------------


@pytest.fixture
def mikrotik_token() -> str:
    """A MikroTik NAS token; IPv4, guest, framed and delegated IPv6 pools;
    ``rest6`` subscribed with burst; ``rest-guest`` without a subscription."""
    token = issue_nas_token(nas=NasFactory(vendor="mikrotik"))
    PoolFactory(network="10.98.0.0/24")
    PoolFactory(network="10.97.0.0/24", guest=True)
    PoolFactory(network="2001:db8:100::/40", delegated_prefix_length=64, ipv6_use="framed")
    PoolFactory(network="2001:db8:f000::/36", delegated_prefix_length=56, ipv6_use="delegated")
    SubscriptionFactory(
        customer=CustomerFactory(login="rest6", pppoe=True),
        tariff=TariffFactory(
            rate_down_kbps=30000, rate_up_kbps=10000, burst_down_kbps=60000, burst_up_kbps=20000
        ),
    )
    CustomerFactory(login="rest-guest", pppoe=True)
    return token


REST6 = {"User-Name": "rest6", "User-Password": "pass-rest6"}
GUEST = {"User-Name": "rest-guest", "User-Password": "pass-rest-guest"}


def test_mikrotik_rate_limit_carries_the_burst(mikrotik_token: str) -> None:
    status, reply = _post(mikrotik_token, REST6)
    assert status == 200
    assert reply["reply:Mikrotik-Rate-Limit"] == "10000k/30000k 20000k/60000k"


def test_framed_ipv6_prefix_comes_from_the_framed_pool(mikrotik_token: str) -> None:
    reply = _post(mikrotik_token, REST6)[1]
    framed = ipaddress.IPv6Network(reply["reply:Framed-IPv6-Prefix"])
    assert framed.prefixlen == 64 and framed.subnet_of(ipaddress.IPv6Network("2001:db8:100::/40"))


def test_delegated_ipv6_prefix_has_the_delegated_length(mikrotik_token: str) -> None:
    reply = _post(mikrotik_token, REST6)[1]
    assert ipaddress.IPv6Network(reply["reply:Delegated-IPv6-Prefix"]).prefixlen == 56


def test_one_lease_per_address_family_and_prefix(mikrotik_token: str) -> None:
    _post(mikrotik_token, REST6)
    assert Lease.objects.filter(customer__login="rest6", ended_at__isnull=True).count() == 3


def test_reauth_gives_the_same_reply(mikrotik_token: str) -> None:
    first = _post(mikrotik_token, REST6)[1]
    Lease.objects.filter(customer__login="rest6").update(
        expires_at=timezone.now() + timedelta(hours=1)
    )
    assert _post(mikrotik_token, REST6)[1] == first


def test_reauth_renews_a_lease_with_less_than_half_of_its_time_left(mikrotik_token: str) -> None:
    _post(mikrotik_token, REST6)
    Lease.objects.filter(customer__login="rest6").update(
        expires_at=timezone.now() + timedelta(hours=1)
    )
    _post(mikrotik_token, REST6)
    leases = Lease.objects.filter(customer__login="rest6", ended_at__isnull=True)
    assert leases.count() == 3
    for lease in leases:
        assert lease.expires_at is not None
        assert lease.expires_at - timezone.now() > timedelta(hours=12)


def test_a_guest_is_put_in_the_guest_address_list(mikrotik_token: str) -> None:
    status, reply = _post(mikrotik_token, GUEST)
    assert status == 200 and reply["reply:Mikrotik-Address-List"] == "lastmile-guest"


def test_a_guest_gets_no_ipv6(mikrotik_token: str) -> None:
    reply = _post(mikrotik_token, GUEST)[1]
    assert "reply:Framed-IPv6-Prefix" not in reply


def test_a_guest_gets_a_short_lease_from_the_guest_pool(mikrotik_token: str) -> None:
    _post(mikrotik_token, GUEST)
    lease = Lease.objects.get(customer__login="rest-guest")
    assert lease.address.startswith("10.97.")
    assert lease.expires_at is not None
    assert lease.expires_at - timezone.now() <= timedelta(seconds=1200)
