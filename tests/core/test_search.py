"""The header search: phone in any spelling, IP, MAC, ticket number; grouped
by kind, limited by object permissions and bounded."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from lastmile.core.phones import phone_key
from lastmile.core.search import LIMIT
from lastmile.customers.models import Customer
from lastmile.network.models import Lease, Session
from lastmile.tickets.models import Ticket
from tests.factories import (
    CustomerFactory,
    CustomerGroupFactory,
    NasFactory,
    PoolFactory,
    TicketFactory,
    UserFactory,
    grant,
)

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin():  # type: ignore[no-untyped-def]
    return UserFactory(username="boss", is_superuser=True)


@pytest.fixture
def groups():  # type: ignore[no-untyped-def]
    return CustomerGroupFactory(name="East"), CustomerGroupFactory(name="West")


@pytest.fixture
def east_staff(groups):  # type: ignore[no-untyped-def]
    """May see only the customers of group East (and their leases, sessions, tickets)."""
    user = UserFactory(username="east-staff")
    grant(user, Customer, ["view"], {"group__name": "East"})
    grant(user, Lease, ["view"], {"customer__group__name": "East"})
    grant(user, Session, ["view"], {"customer__group__name": "East"})
    grant(user, Ticket, ["view"], {"customer__group__name": "East"})
    return user


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("+7 (910) 833-86-90", "9108338690"),
        ("89108338690", "9108338690"),
        ("9108338690", "9108338690"),
        ("8 910 833 86 90", "9108338690"),
        ("12-34", ""),
        ("ivanov", ""),
    ],
)
def test_phone_key(typed, key):  # type: ignore[no-untyped-def]
    assert phone_key(typed) == key


@pytest.mark.parametrize("typed", ["+7 (910) 833-86-90", "89108338690", "9108338690", "833-86-90"])
def test_phone_in_any_spelling_finds_the_customer(admin, typed):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(login="phoned", phones=["+7 (910) 833-86-90"])
    CustomerFactory(login="other", phones=["8 (915) 000-11-22"])
    response = client_for(admin).get("/search/", {"q": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/"


def test_stored_digits_only_found_by_formatted_query(admin):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(login="plain", phones=["89108338690"])
    response = client_for(admin).get("/search/", {"q": "+7 (910) 833-86-90"})
    assert response["Location"] == f"/customers/{customer.pk}/"


def test_login_direct_hit_and_partial_list(admin):  # type: ignore[no-untyped-def]
    one = CustomerFactory(login="petrov")
    CustomerFactory(login="petrova")
    client = client_for(admin)
    response = client.get("/search/", {"q": "petrov"})
    # "petrov" matches both as a substring: a list, not a jump.
    assert response.status_code == 200
    html = response.content.decode()
    assert "petrova" in html and f"/customers/{one.pk}/" in html
    response = client.get("/search/", {"q": one.contract_number})
    assert response["Location"] == f"/customers/{one.pk}/"


def test_results_are_bounded_with_a_more_link(admin):  # type: ignore[no-untyped-def]
    for n in range(LIMIT + 2):
        CustomerFactory(login=f"bulk{n:02d}")
    html = client_for(admin).get("/search/", {"q": "bulk"}).content.decode()
    assert len(re.findall(r'href="/customers/\d+/"', html)) == LIMIT
    assert "/customers/?q=bulk" in html


def test_ip_mac_and_ticket(admin):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(login="leased")
    pool = PoolFactory(network="10.9.0.0/24")
    Lease.objects.create(
        address="10.9.0.7", pool=pool, customer=customer, kind="static", mac="aa:bb:cc:dd:ee:0f"
    )
    nas = NasFactory()
    now = timezone.now()
    Session.objects.create(
        nas=nas,
        acct_session_id="s1",
        customer=customer,
        login="leased",
        address="10.9.0.7",
        mac="AA-BB-CC-DD-EE-0F",
        started_at=now,
        updated_at=now,
    )
    ticket = TicketFactory(customer=customer)
    client = client_for(admin)
    html = client.get("/search/", {"q": "10.9.0.7"}).content.decode()
    assert 'data-kind="lease"' in html and 'data-kind="session"' in html
    for spelling in ("AA-BB-CC-DD-EE-0F", "aabb.ccdd.ee0f", "aa:bb:cc:dd:ee:0f"):
        html = client.get("/search/", {"q": spelling}).content.decode()
        assert 'data-kind="lease"' in html and 'data-kind="session"' in html, spelling
    html = client.get("/search/", {"q": f"#{ticket.pk}"}).content.decode()
    assert f"/tickets/{ticket.pk}/" in html


def test_limited_user_sees_only_own_group(east_staff, groups):  # type: ignore[no-untyped-def]
    east, west = groups
    mine = CustomerFactory(login="east-ivanov", group=east, phones=["+7 910 111 22 33"])
    theirs = CustomerFactory(login="west-ivanov", group=west, phones=["+7 910 111 22 34"])
    pool = PoolFactory(network="10.8.0.0/24")
    Lease.objects.create(address="10.8.0.9", pool=pool, customer=theirs, kind="static")
    west_ticket = TicketFactory(customer=theirs)
    client = client_for(east_staff)
    html = client.get("/search/", {"q": "ivanov"}).content.decode()
    assert "east-ivanov" in html and "west-ivanov" not in html
    # A phone of the other group is not found.
    assert "west-ivanov" not in client.get("/search/", {"q": "89101112234"}).content.decode()
    assert client.get("/search/", {"q": "89101112233"})["Location"] == f"/customers/{mine.pk}/"
    assert 'data-kind="lease"' not in client.get("/search/", {"q": "10.8.0.9"}).content.decode()
    html = client.get("/search/", {"q": str(west_ticket.pk)}).content.decode()
    assert f"/tickets/{west_ticket.pk}/" not in html


@pytest.mark.parametrize(
    "junk", ["", "   ", "x" * 5000, "'; drop table", "%", "\\", "::", "1" * 30]
)
def test_bad_input_is_not_an_error(admin, junk):  # type: ignore[no-untyped-def]
    assert client_for(admin).get("/search/", {"q": junk}).status_code == 200


def test_header_has_the_search_box(admin):  # type: ignore[no-untyped-def]
    html = client_for(admin).get("/").content.decode()
    assert 'id="header-search"' in html and 'action="/search/"' in html


def test_anonymous_is_sent_to_login():  # type: ignore[no-untyped-def]
    assert Client().get("/search/", {"q": "x"}).status_code == 302
