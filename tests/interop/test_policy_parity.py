"""One policy, two paths: the same 26 requests through the real UDP server
(Debian's radclient) and through the ``rlm_rest`` endpoint give the same
decision and identical reply attributes (issue 13, item 7).

Each case goes to the UDP server first, then to rlm_rest, so both see the
same database: a lease the first path made is the one the second renews.
Dual stack: a paying customer's Accept carries a Framed-IPv6-Prefix and a
Delegated-IPv6-Prefix on both paths.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from lastmile.aaa.rest import issue_nas_token
from lastmile.customers.models import CustomerGroup
from lastmile.network.models import AccessBinding, Lease, Session
from lastmile.subscriptions.models import Subscription
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

CHALLENGE = bytes(range(16))

# (name, request attributes); a password starting with "chap:" is sent as CHAP.
CASES: list[tuple[str, dict[str, str]]] = [
    ("pap", {"User-Name": "user1", "User-Password": "pass-user1"}),
    ("pap re-auth keeps the address", {"User-Name": "user1", "User-Password": "pass-user1"}),
    ("pap with equipment", {"User-Name": "user2", "User-Password": "pass-user2",
                            "Calling-Station-Id": "aa-aa-aa-aa-aa-01"}),
    ("other equipment", {"User-Name": "user2", "User-Password": "pass-user2",
                         "Calling-Station-Id": "bb-bb-bb-bb-bb-02"}),
    ("chap", {"User-Name": "chapuser", "User-Password": "chap:pass-chapuser"}),
    ("chap wrong", {"User-Name": "chapuser", "User-Password": "chap:nope"}),
    ("wrong password", {"User-Name": "user1", "User-Password": "wrong"}),
    ("unknown login", {"User-Name": "nobody", "User-Password": "x"}),
    ("disabled", {"User-Name": "disabled", "User-Password": "pass-disabled"}),
    ("no subscription: guest", {"User-Name": "broke", "User-Password": "pass-broke"}),
    ("guest re-auth", {"User-Name": "broke", "User-Password": "pass-broke"}),
    ("expired subscription: guest", {"User-Name": "lapsed", "User-Password": "pass-lapsed"}),
    ("period ended, not yet run: guest", {"User-Name": "overdue", "User-Password": "pass-overdue"}),
    ("burst", {"User-Name": "bursty", "User-Password": "pass-bursty"}),
    ("static address", {"User-Name": "static1", "User-Password": "pass-static1"}),
    ("two addresses split the speed", {"User-Name": "static2", "User-Password": "pass-static2"}),
    ("group pool", {"User-Name": "full1", "User-Password": "pass-full1"}),
    ("group pool exhausted", {"User-Name": "full2", "User-Password": "pass-full2"}),
    ("ipoe by option 82", {"User-Name": "00:11:22:33:44:55", "ADSL-Agent-Remote-Id": "sw-7",
                           "ADSL-Agent-Circuit-Id": "eth1/0/5"}),
    ("ipoe option 82 re-auth", {"User-Name": "00:11:22:33:44:55", "ADSL-Agent-Remote-Id": "sw-7",
                                "ADSL-Agent-Circuit-Id": "eth1/0/5"}),
    ("ipoe unbound port", {"User-Name": "00:11:22:33:44:56", "ADSL-Agent-Remote-Id": "sw-7",
                           "ADSL-Agent-Circuit-Id": "eth1/0/6"}),
    ("ipoe by mac", {"User-Name": "02:00:00:00:07:07", "Calling-Station-Id": "02:00:00:00:07:07"}),
    ("ipoe unknown mac", {"User-Name": "02:00:00:00:07:08",
                          "Calling-Station-Id": "02:00:00:00:07:08"}),
    ("ipoe unbound mac as login", {"User-Name": "02-00-00-00-07-09"}),
    ("simultaneous-use: a second line is refused", {"User-Name": "online1",
     "User-Password": "pass-online1", "NAS-Port-Id": "port-2"}),
    ("simultaneous-use: the same line re-authenticates", {"User-Name": "online1",
     "User-Password": "pass-online1", "NAS-Port-Id": "port-1"}),
]  # fmt: skip


@pytest.fixture
def world(transactional_db):  # type: ignore[no-untyped-def]
    nas = NasFactory(name="bras", address="127.0.0.1", vendor="mikrotik")
    token = issue_nas_token(nas=nas)
    tariff = TariffFactory(rate_down_kbps=100000, rate_up_kbps=50000)
    burst = TariffFactory(
        rate_down_kbps=20000, rate_up_kbps=10000, burst_down_kbps=40000, burst_up_kbps=20000
    )
    pool = PoolFactory(name="main", network="10.77.0.0/24", kind="dynamic")
    PoolFactory(name="guest", network="10.79.0.0/24", kind="guest")
    # Dual stack: paying customers get a link prefix and a delegated prefix.
    PoolFactory(
        name="wan6", network="2001:db8:100::/40", kind="dynamic",
        delegated_prefix_length=64, ipv6_use="framed",
    )  # fmt: skip
    PoolFactory(
        name="pd6", network="2001:db8:f000::/36", kind="dynamic",
        delegated_prefix_length=56, ipv6_use="delegated",
    )  # fmt: skip
    group = CustomerGroup.objects.create(name="tiny")
    tiny = PoolFactory(
        name="tiny", network="10.78.0.0/30", range_start="10.78.0.1", range_end="10.78.0.1"
    )
    tiny.groups.add(group)
    users = {}
    for login in (
        "user1", "user2", "chapuser", "static1", "static2", "ipoe-7", "ipoe-mac", "online1"
    ):  # fmt: skip
        users[login] = CustomerFactory(pppoe=True, login=login)
        SubscriptionFactory(customer=users[login], tariff=tariff)
    for login in ("full1", "full2"):
        users[login] = CustomerFactory(pppoe=True, login=login, group=group)
        SubscriptionFactory(customer=users[login], tariff=tariff)
    users["bursty"] = CustomerFactory(pppoe=True, login="bursty")
    SubscriptionFactory(customer=users["bursty"], tariff=burst)
    users["disabled"] = CustomerFactory(pppoe=True, login="disabled", blocked=True)
    SubscriptionFactory(customer=users["disabled"], tariff=tariff)
    users["broke"] = CustomerFactory(pppoe=True, login="broke")
    users["lapsed"] = CustomerFactory(pppoe=True, login="lapsed")
    SubscriptionFactory(customer=users["lapsed"], tariff=tariff, days=-1, state="expired")
    users["overdue"] = CustomerFactory(pppoe=True, login="overdue")
    overdue = SubscriptionFactory(customer=users["overdue"], tariff=tariff)
    Subscription.objects.filter(pk=overdue.pk).update(
        period_end=timezone.now() - timedelta(minutes=1)
    )
    AccessBinding.objects.create(customer=users["ipoe-7"], remote_id="sw-7", circuit_id="eth1/0/5")
    AccessBinding.objects.create(customer=users["ipoe-mac"], mac="02:00:00:00:07:07")
    Lease.objects.create(address="10.77.0.200", pool=pool, customer=users["static1"], kind="static")
    for address in ("10.77.0.201", "10.77.0.202"):
        Lease.objects.create(address=address, pool=pool, customer=users["static2"], kind="static")
    now = timezone.now()
    Session.objects.create(
        nas=nas, acct_session_id="o-1", customer=users["online1"], login="online1",
        nas_port="port-1", started_at=now, updated_at=now,
    )  # fmt: skip
    return {"token": token, **users}


def _udp(port: int, request: dict[str, str]) -> tuple[str, dict[str, str]]:
    parts = []
    for name, value in request.items():
        if name == "User-Password" and value.startswith("chap:"):
            parts.append(f'CHAP-Password = "{value[5:]}"')
        else:
            parts.append(f'{name} = "{value}"')
    code, attrs = radclient(port, "auth", ", ".join(parts))
    return {"Access-Accept": "accept", "Access-Reject": "reject"}.get(code, code), attrs


def _rest(token: str, request: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The request as rlm_rest's JSON body sends it."""
    body = {}
    for name, value in request.items():
        if name == "User-Password" and value.startswith("chap:"):
            ident = b"\x07"
            digest = hashlib.md5(ident + value[5:].encode() + CHALLENGE).digest()
            body["CHAP-Password"] = {"type": "octets", "value": ["0x" + (ident + digest).hex()]}
            body["CHAP-Challenge"] = {"type": "octets", "value": ["0x" + CHALLENGE.hex()]}
        else:
            body[name] = {"type": "string", "value": [value]}
    response = Client().post(
        "/api/v1/aaa/rest/authorize",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    reply = response.json()
    code = {200: "accept", 401: "reject"}.get(response.status_code, str(response.status_code))
    if code == "accept":
        assert reply.pop("control:Auth-Type") == "Accept"
    return code, {k.removeprefix("reply:"): str(v) for k, v in reply.items()}


def test_udp_and_rlm_rest_give_identical_answers(world):  # type: ignore[no-untyped-def]
    assert len(CASES) >= 20
    answers = []
    with radius_server() as server:
        for name, request in CASES:
            udp = _udp(server.auth_port, request)
            rest = _rest(world["token"], request)
            assert udp == rest, name
            answers.append((name, udp))
    got = dict(answers)
    # The cases do reach the branches they are named after.
    assert got["pap"][0] == "accept" and got["pap"][1]["Framed-IP-Address"].startswith("10.77.")
    assert got["pap"][1] == got["pap re-auth keeps the address"][1]
    assert got["other equipment"] == (
        "reject",
        {"Reply-Message": "Equipment does not match the lease"},
    )
    assert got["chap"][0] == "accept" and got["chap wrong"][0] == "reject"
    assert got["no subscription: guest"][1]["Mikrotik-Address-List"] == "lastmile-guest"
    assert got["no subscription: guest"][1]["Framed-IP-Address"].startswith("10.79.")
    for guest in ("expired subscription: guest", "period ended, not yet run: guest"):
        assert got[guest][1]["Framed-IP-Address"].startswith("10.79."), guest
    assert got["burst"][1]["Mikrotik-Rate-Limit"] == "10000k/20000k 20000k/40000k"
    assert got["static address"][1]["Framed-IP-Address"] == "10.77.0.200"
    assert got["two addresses split the speed"][1]["Mikrotik-Rate-Limit"] == "25000k/50000k"
    assert got["group pool"][1]["Framed-IP-Address"] == "10.78.0.1"
    assert got["group pool exhausted"] == (
        "reject",
        {"Reply-Message": "No free address in the pool"},
    )
    assert got["ipoe by option 82"][0] == "accept" and got["ipoe by mac"][0] == "accept"
    assert got["ipoe unknown mac"] == ("reject", {"Reply-Message": "Unknown login"})
    assert got["simultaneous-use: a second line is refused"] == (
        "reject",
        {"Reply-Message": "Already online: only 1 session(s) allowed"},
    )
    assert got["simultaneous-use: the same line re-authenticates"][0] == "accept"
    assert sum(1 for _, (code, _) in answers if code == "accept") >= 12
    assert got["pap"][1]["Framed-IPv6-Prefix"].startswith("2001:db8:1")
    assert got["pap"][1]["Framed-IPv6-Prefix"].endswith("/64")
    assert got["pap"][1]["Delegated-IPv6-Prefix"].endswith("/56")
    assert "Framed-IPv6-Prefix" not in got["no subscription: guest"][1]
    # The guest lease is leased for two guest sessions on both paths.
    guest_lease = Lease.objects.get(customer=world["broke"], ended_at__isnull=True)
    assert guest_lease.expires_at is not None
    assert guest_lease.expires_at - timezone.now() < timedelta(hours=1)
