"""IPv6 prefixes: pool validation, picking by index, the database's
no-overlap guarantee, and two server processes leasing prefixes at once."""

from __future__ import annotations

import ipaddress
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from lastmile.aaa.pools import PoolInfo
from lastmile.network.models import Lease, Pool
from lastmile.radius import codec
from tests.aaa.helpers import load, make_customers, radius_server
from tests.factories import (
    CustomerFactory,
    LeaseFactory,
    NasFactory,
    PoolFactory,
    SubscriptionFactory,
    TariffFactory,
)


def _pool_info(network: str, length: int) -> PoolInfo:
    net = ipaddress.IPv6Network(network)
    return PoolInfo(
        1, "p", "dynamic", 6, int(net.network_address), int(net.broadcast_address), None, 100,
        prefix_length=length, ipv6_use="delegated",
    )  # fmt: skip


def test_picking_in_a_huge_pool_gives_aligned_prefixes_inside_it():
    pool = _pool_info("2001:db8:100::/40", 64)
    assert pool.size == 2**24
    net = ipaddress.IPv6Network("2001:db8:100::/40")
    seen = set()
    for _ in range(1000):
        start = pool.pick_free()
        assert start is not None
        prefix = ipaddress.IPv6Network((start, 64))  # strict: aligned to /64
        assert prefix.subnet_of(net)
        seen.add(start)
    assert len(seen) == 1000


def test_a_small_pool_hands_out_every_prefix_once_then_nothing():
    pool = _pool_info("2001:db8:0:100::/62", 64)
    got = {pool.pick_free() for _ in range(4)}
    assert None not in got and len(got) == 4
    assert pool.pick_free() is None


@pytest.mark.parametrize(
    ("network", "length", "use", "field"),
    [
        ("2001:db8::/40", None, "framed", "delegated_prefix_length"),
        ("2001:db8::/40", 32, "framed", "delegated_prefix_length"),  # shorter than the pool
        ("2001:db8::/40", 129, "framed", "delegated_prefix_length"),
        ("2001::/16", 64, "framed", "delegated_prefix_length"),  # 2**48 prefixes
        ("2001:db8::/16", 64, "framed", "network"),  # host bits: an error, not a crash
        ("2001:db8::/40", 64, "", "ipv6_use"),
        ("10.0.0.0/24", None, "framed", "ipv6_use"),
    ],
)
def test_pool_validation_refuses_bad_ipv6_pools(db, network, length, use, field):  # type: ignore[no-untyped-def]
    pool = Pool(
        name="p6", kind="dynamic", network=network, delegated_prefix_length=length, ipv6_use=use
    )
    with pytest.raises(ValidationError) as err:
        pool.full_clean()
    assert field in err.value.message_dict


def test_a_good_ipv6_pool_validates(db):  # type: ignore[no-untyped-def]
    Pool(
        name="p6", kind="dynamic", network="2001:db8:100::/40", delegated_prefix_length=56,
        ipv6_use="delegated",
    ).full_clean()  # fmt: skip


def test_database_refuses_overlapping_and_misaligned_active_prefixes(db):  # type: ignore[no-untyped-def]
    pool = PoolFactory(
        network="2001:db8:100::/40", delegated_prefix_length=56, ipv6_use="delegated"
    )
    one, two = CustomerFactory(pppoe=True), CustomerFactory(pppoe=True)
    first = LeaseFactory(
        address="2001:db8:100::", prefix_length=56, pool=pool, customer=one, kind="dynamic"
    )
    for address, length in (("2001:db8:100:1::", 64), ("2001:db8:100::", 56)):
        with pytest.raises(IntegrityError), transaction.atomic():
            LeaseFactory(
                address=address, prefix_length=length, pool=pool, customer=two, kind="static"
            )
    with pytest.raises(IntegrityError), transaction.atomic():  # host bits beyond the /56
        LeaseFactory(
            address="2001:db8:100:101::", prefix_length=56, pool=pool, customer=two, kind="static"
        )
    # An ended lease is history: the prefix may be leased again.
    Lease.objects.filter(pk=first.pk).update(ended_at=first.started_at, end_reason="expired")
    again = LeaseFactory(
        address="2001:db8:100::", prefix_length=56, pool=pool, customer=two, kind="dynamic"
    )
    assert again.prefix == "2001:db8:100::/56"


def test_two_transactions_racing_for_one_prefix_one_wins(transactional_db):  # type: ignore[no-untyped-def]
    pool = PoolFactory(
        network="2001:db8:100::/40", delegated_prefix_length=56, ipv6_use="delegated"
    )
    customers = [CustomerFactory(pppoe=True), CustomerFactory(pppoe=True)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(customer) -> None:  # type: ignore[no-untyped-def]
        try:
            with transaction.atomic():
                barrier.wait()
                # /56 and a /64 inside it: different rows, only the exclusion constraint sees it.
                address, length = (
                    ("2001:db8:100::", 56) if customer == customers[0] else ("2001:db8:100::", 64)
                )
                LeaseFactory(
                    address=address, prefix_length=length, pool=pool, customer=customer,
                    kind="dynamic",
                )  # fmt: skip
            outcomes.append("ok")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(c,)) for c in customers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Lease.objects.filter(ended_at__isnull=True, prefix_length__isnull=False).count() == 1


def _delegated(reply: codec.Packet | None) -> str | None:
    if reply is None or reply.code != codec.ACCESS_ACCEPT:
        return None
    value = reply.attrs.get(codec.DELEGATED_IPV6_PREFIX)
    prefix = codec.parse_ipv6_prefix(value) if value else None
    return str(prefix) if prefix else None


def test_two_processes_never_hand_out_one_prefix_twice(transactional_db):  # type: ignore[no-untyped-def]
    NasFactory(address="127.0.0.1")
    tariff = TariffFactory()
    PoolFactory(name="v4", network="10.96.0.0/20")
    # 1024 /56s for 800 customers: the nodes' random picks collide often.
    PoolFactory(
        name="pd", network="2001:db8:f000::/46", delegated_prefix_length=56, ipv6_use="delegated"
    )
    make_customers(800, prefix="d", tariff=tariff)
    logins = [f"d{n}" for n in range(800)]
    with radius_server() as one, radius_server() as two:
        replies = load(logins, [one.auth_port, two.auth_port], in_flight=64)
    prefixes = {login: _delegated(reply) for login, reply in replies.items()}
    assert all(prefixes.values()), [k for k, v in prefixes.items() if not v][:5]
    assert len(set(prefixes.values())) == 800
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.login, host(l.address) || '/' || l.prefix_length FROM network_lease l"
            " JOIN customers_customer c ON c.id = l.customer_id"
            " WHERE l.ended_at IS NULL AND l.prefix_length IS NOT NULL"
        )
        in_database = dict(cur.fetchall())
    assert in_database == prefixes


def _wait_for(predicate, seconds: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.parametrize("nas_reports_prefixes", [True, False])
def test_session_keeps_the_prefixes_and_stop_holds_them_like_the_address(  # type: ignore[no-untyped-def]
    transactional_db, nas_reports_prefixes
):
    from django.utils import timezone

    from lastmile.network.models import Session
    from tests.aaa.helpers import Client

    hold_s = 120
    NasFactory(address="127.0.0.1", require_message_authenticator=False)
    PoolFactory(network="10.67.0.0/24")
    PoolFactory(
        name="wan6", network="2001:db8:100::/40", delegated_prefix_length=64, ipv6_use="framed"
    )
    PoolFactory(
        name="pd6", network="2001:db8:f000::/36", delegated_prefix_length=56, ipv6_use="delegated"
    )
    SubscriptionFactory(customer=CustomerFactory(pppoe=True, login="acct6"), tariff=TariffFactory())
    env = {"LASTMILE_LEASE_HOLD_AFTER_STOP_S": str(hold_s)}
    with radius_server(extra_env=env) as server:
        auth, acct = Client(server.auth_port), Client(server.acct_port)
        accept = auth.access("acct6", "pass-acct6")
        assert accept is not None and accept.code == codec.ACCESS_ACCEPT
        sent = codec.attr(codec.FRAMED_IP_ADDRESS, accept.attrs[codec.FRAMED_IP_ADDRESS])
        if nas_reports_prefixes:
            for kind in (codec.FRAMED_IPV6_PREFIX, codec.DELEGATED_IPV6_PREFIX):
                sent += codec.attr(kind, accept.attrs[kind])
        for status in (codec.ACCT_START, codec.ACCT_STOP):
            reply = acct.accounting(
                codec.attr_text(codec.USER_NAME, "acct6")
                + codec.attr_int(codec.ACCT_STATUS_TYPE, status)
                + codec.attr_text(codec.ACCT_SESSION_ID, "s6")
                + sent
            )
            assert reply is not None and reply.code == codec.ACCOUNTING_RESPONSE

        def all_held() -> bool:
            leases = Lease.objects.filter(customer__login="acct6", ended_at__isnull=True)
            left = [
                (x.expires_at - timezone.now()).total_seconds()
                for x in leases
                if x.expires_at is not None
            ]
            return len(left) == 3 and all(s <= hold_s for s in left)

        assert _wait_for(all_held)
        auth.close()
        acct.close()
    session = Session.objects.get(acct_session_id="s6")
    framed = codec.parse_ipv6_prefix(accept.attrs[codec.FRAMED_IPV6_PREFIX])
    delegated = codec.parse_ipv6_prefix(accept.attrs[codec.DELEGATED_IPV6_PREFIX])
    if nas_reports_prefixes:
        assert (session.ipv6_prefix, session.delegated_prefix) == (str(framed), str(delegated))
    else:
        assert (session.ipv6_prefix, session.delegated_prefix) == ("", "")


def test_pool_form_and_api_take_ipv6_fields(admin_client):  # type: ignore[no-untyped-def]
    form = {"name": "pd6", "kind": "dynamic", "network": "2001:db8:100::/40", "priority": 100}
    bad = admin_client.post(
        "/network/pools/add/", {**form, "delegated_prefix_length": 30, "ipv6_use": "delegated"}
    )
    assert bad.status_code == 200 and not Pool.objects.filter(name="pd6").exists()
    assert "The customers&#x27; prefix must lie inside the pool" in bad.content.decode()
    good = admin_client.post(
        "/network/pools/add/", {**form, "delegated_prefix_length": 56, "ipv6_use": "delegated"}
    )
    assert good.status_code == 302
    pool = Pool.objects.get(name="pd6")
    assert (pool.delegated_prefix_length, pool.ipv6_use, pool.size) == (56, "delegated", 65536)
    listed = admin_client.get("/api/v1/network/pools").json()
    assert [(p["ipv6_use"], p["delegated_prefix_length"], p["size"]) for p in listed] == [
        ("delegated", 56, 65536)
    ]
