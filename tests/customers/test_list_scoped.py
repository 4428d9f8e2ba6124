"""The customer list of a site- or group-scoped clerk: their customers on every
page, in natural order, with the right count, and a permission condition on
the customer's own indexed column (no join that hides which site is meant)."""

from __future__ import annotations

import pytest

from lastmile.customers.models import Customer
from tests.customers.conftest import client_for
from tests.factories import CustomerFactory, CustomerGroupFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


def _page_logins(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row.record.login for row in response.context["table"].paginated_rows]


def _all_pages(client, per_page: int = 25) -> tuple[list[str], int]:  # type: ignore[no-untyped-def]
    first = client.get("/customers/", {"per_page": per_page})
    paginator = first.context["table"].paginator
    logins = []
    for number in range(1, paginator.num_pages + 1):
        logins += _page_logins(client.get("/customers/", {"per_page": per_page, "page": number}))
    return logins, paginator.count


@pytest.fixture
def two_groups(north, south):  # type: ignore[no-untyped-def]
    houses = CustomerGroupFactory(name="Private houses")
    flats = CustomerGroupFactory(name="Apartment buildings")
    for n in range(1, 61):
        CustomerFactory(
            login=f"user{n}",
            group=houses if n % 3 == 0 else flats,
            site=north if n % 2 else south,
        )
    return houses, flats


def test_group_clerk_sees_only_their_group_on_every_page_with_the_right_count(two_groups):
    clerk = UserFactory(username="houses-clerk")
    grant(clerk, Customer, ["view"], {"group__name": "Private houses"})
    logins, count = _all_pages(client_for(clerk))
    expected = [f"user{n}" for n in range(1, 61) if n % 3 == 0]  # natural order: user3, user6…
    assert logins == expected
    assert count == len(expected) == 20


def test_site_clerk_sees_only_their_site_on_every_page_with_the_right_count(two_groups, owner):
    logins, count = _all_pages(client_for(owner), per_page=25)
    expected = [f"user{n}" for n in range(1, 61) if n % 2]
    assert logins == expected
    assert count == 30


def test_a_filter_and_a_deep_page_stay_inside_the_scope(two_groups, owner):
    houses, _flats = two_groups
    response = client_for(owner).get("/customers/", {"group": houses.pk, "per_page": 25})
    assert _page_logins(response) == [f"user{n}" for n in range(3, 61, 6)]  # odd multiples of 3
    assert response.context["table"].paginator.count == 10
    last = client_for(owner).get("/customers/", {"page": 99, "per_page": 25})
    assert _page_logins(last) == [f"user{n}" for n in range(51, 61, 2)]


def test_scope_by_a_unique_field_of_a_related_row_is_a_condition_on_the_own_column(owner):
    """``site__slug`` becomes ``site_id = (SELECT id … slug = 'north')``: the
    database can walk the (site, natural order) index instead of joining
    the whole table to the sites and sorting it."""
    sql = str(Customer.objects.restrict(owner, "view").query)
    assert 'JOIN "accounts_site"' not in sql
    assert '"customers_customer"."site_id" = (SELECT' in sql


def test_scope_by_a_missing_site_shows_nothing(two_groups):
    clerk = UserFactory(username="nowhere-clerk")
    grant(clerk, Customer, ["view"], {"site__slug": "no-such-site"})
    response = client_for(clerk).get("/customers/")
    assert _page_logins(response) == []
    assert response.context["table"].paginator.count == 0


def test_scope_by_another_lookup_keeps_the_plain_join(two_groups, north):
    """Anything but an exact match of a unique field (here: case-insensitive)
    could match several rows: it stays a join."""
    clerk = UserFactory(username="by-name-clerk")
    grant(clerk, Customer, ["view"], {"site__name__iexact": north.name.upper()})
    sql = str(Customer.objects.restrict(clerk, "view").query)
    assert 'JOIN "accounts_site"' in sql
    logins, count = _all_pages(client_for(clerk))
    assert count == 30 and logins == [f"user{n}" for n in range(1, 61) if n % 2]
