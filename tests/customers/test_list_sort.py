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
