"""Sorting the customer list by balance, tariff and paid-until (joins to the
account and the active subscription): the right order, ties by id, every
customer exactly once (a join must not add or drop rows)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lastmile.finance import services as finance
from tests.factories import CustomerFactory, SubscriptionFactory, TariffFactory

pytestmark = pytest.mark.django_db


def _logins(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row.record.login for row in response.context["table"].paginated_rows]


@pytest.fixture
def customers(admin_user):  # type: ignore[no-untyped-def]
    fast, slow = TariffFactory(name="Fast"), TariffFactory(name="Slow")
    made = {}
    for login, balance, tariff, days in [
        ("c1", "10.00", slow, 5),
        ("c2", "-3.00", fast, 20),
        ("c3", "10.00", None, 0),
        ("c4", "1.00", fast, 2),
    ]:
        customer = CustomerFactory(login=login)
        finance.correct_balance(
            customer_id=customer.pk, amount=Decimal(balance), reason="t", actor=admin_user
        )
        if tariff is not None:
            SubscriptionFactory(customer=customer, tariff=tariff, days=days)
        made[login] = customer
    return made


def test_sort_by_balance_with_ties_by_id(admin_client, customers):
    assert _logins(admin_client.get("/customers/", {"sort": "balance"})) == [
        "c2", "c4", "c1", "c3",
    ]  # fmt: skip
    assert _logins(admin_client.get("/customers/", {"sort": "-balance"})) == [
        "c3", "c1", "c4", "c2",
    ]  # fmt: skip


def test_sort_by_paid_until_and_tariff_keeps_every_customer_once(admin_client, customers):
    by_date = _logins(admin_client.get("/customers/", {"sort": "paid_until"}))
    assert by_date == ["c4", "c1", "c2", "c3"]  # no subscription: last
    by_tariff = _logins(admin_client.get("/customers/", {"sort": "tariff_name"}))
    assert by_tariff == ["c2", "c4", "c1", "c3"]
    page = admin_client.get("/customers/", {"sort": "tariff_name", "per_page": 25})
    assert page.context["table"].paginator.count == 4


def test_sort_by_balance_pages_without_repeating_a_customer(admin_client, admin_user):
    for n in range(30):
        CustomerFactory(login=f"same{n}")  # no account yet, no balance: ties everywhere
    seen = []
    for number in (1, 2):
        seen += _logins(
            admin_client.get("/customers/", {"sort": "balance", "per_page": 25, "page": number})
        )
    assert sorted(seen) == sorted(f"same{n}" for n in range(30))


def _every_page(client, sort: str, per_page: int = 2) -> list[str]:  # type: ignore[no-untyped-def]
    first = client.get("/customers/", {"sort": sort, "per_page": per_page})
    pages = first.context["table"].paginator.num_pages
    logins = []
    for number in range(1, pages + 1):
        logins += _logins(
            client.get("/customers/", {"sort": sort, "per_page": per_page, "page": number})
        )
    return logins


@pytest.fixture
def mixed(admin_user):  # type: ignore[no-untyped-def]
    """Customers with and without an account / active subscription, so that pages
    of 2 cross the line between the two parts a sort pages over."""
    tariff = TariffFactory(name="Mid")
    rows = [("m1", "5.00", 3), ("m2", None, None), ("m3", "-1.00", 9), ("m4", None, 1),
            ("m5", "5.00", None), ("m6", "2.00", 4), ("m7", None, None)]  # fmt: skip
    for login, balance, days in rows:
        customer = CustomerFactory(login=login)
        if balance is not None:
            finance.correct_balance(
                customer_id=customer.pk, amount=Decimal(balance), reason="t", actor=admin_user
            )
        if days is not None:
            SubscriptionFactory(customer=customer, tariff=tariff, days=days)
    return rows


def test_pages_of_a_split_sort_join_up_in_both_directions(admin_client, mixed):
    """Page by page equals the whole order: keyed rows by key then id, the
    missing ones as one block by id (last ascending, first descending)."""
    balance = {login: Decimal(b) for login, b, _ in mixed if b is not None}
    keyed = sorted(balance, key=lambda login: (balance[login], login))
    missing = sorted(login for login, b, _ in mixed if b is None)
    assert _every_page(admin_client, "balance") == keyed + missing
    # Descending: ties by id descending too (ids follow the logins here).
    keyed_down = sorted(balance, key=lambda login: (-balance[login], -int(login[1:])))
    assert _every_page(admin_client, "-balance") == missing[::-1] + keyed_down
    days = {login: d for login, _, d in mixed if d is not None}
    by_end = sorted(days, key=lambda login: (days[login], login))
    no_sub = sorted(login for login, _, d in mixed if d is None)
    assert _every_page(admin_client, "paid_until") == by_end + no_sub
    assert _every_page(admin_client, "-paid_until") == no_sub[::-1] + by_end[::-1]


def test_a_site_clerk_sorts_only_their_site(owner, north, south, admin_user):  # type: ignore[no-untyped-def]
    from tests.customers.conftest import client_for

    for n, site in enumerate([north, south, north, south, north], start=1):
        customer = CustomerFactory(login=f"s{n}", site=site)
        finance.correct_balance(
            customer_id=customer.pk, amount=Decimal(10 - n), reason="t", actor=admin_user
        )
    CustomerFactory(login="s6", site=south)  # no account, other site
    CustomerFactory(login="s7", site=north)  # no account, own site
    client = client_for(owner)
    assert _every_page(client, "balance") == ["s5", "s3", "s1", "s7"]
    assert _every_page(client, "-balance") == ["s7", "s1", "s3", "s5"]
