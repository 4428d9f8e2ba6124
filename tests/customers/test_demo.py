"""Demo customers are deterministic and loading them twice adds nothing."""

from __future__ import annotations

import pytest

from lastmile.customers.demo import load_demo
from lastmile.customers.models import Customer, CustomerGroup

pytestmark = pytest.mark.django_db

FIELDS = (
    "login",
    "contract_number",
    "full_name",
    "phones",
    "email",
    "locality",
    "street",
    "house",
    "apartment",
    "group__name",
    "is_active",
)


def _snapshot() -> list[tuple]:
    return list(Customer.objects.order_by("login").values_list(*FIELDS))


def test_demo_customers_have_the_documented_logins_and_passwords():
    summary = load_demo(customers=50, seed=3)
    assert any("user1..user50 / pass1..pass50" in line for line in summary)
    assert Customer.objects.count() == 50
    customer = Customer.objects.get(login="user17")
    assert customer.get_pppoe_secret() == "pass17"
    assert customer.check_cabinet_password("pass17")
    assert not customer.check_cabinet_password("pass18")


def test_same_seed_gives_the_same_customers():
    load_demo(customers=50, seed=7)
    first = _snapshot()
    Customer.objects.all().delete()
    load_demo(customers=50, seed=7)
    assert _snapshot() == first
    Customer.objects.all().delete()
    load_demo(customers=50, seed=8)
    assert _snapshot() != first


def test_loading_twice_adds_nothing():
    load_demo(customers=50, seed=1)
    before = (_snapshot(), CustomerGroup.objects.count())
    load_demo(customers=50, seed=1)
    assert (_snapshot(), CustomerGroup.objects.count()) == before


def test_growing_the_demo_adds_only_the_new_customers():
    load_demo(customers=20, seed=1)
    first = _snapshot()
    load_demo(customers=30, seed=1)
    assert Customer.objects.count() == 30
    assert [row for row in _snapshot() if row[0] in {r[0] for r in first}] == first
