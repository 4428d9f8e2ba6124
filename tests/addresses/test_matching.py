"""Free-text customer addresses matched to the registry; the rest on the review list."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.db import connection

from lastmile.addresses.gar import import_gar
from lastmile.addresses.lookup import clean_name, split_house
from lastmile.addresses.models import AddressObject
from lastmile.contracts.models import Contract
from lastmile.customers.models import Customer
from lastmile.parties.matching import match_customer_addresses, resolve_review
from lastmile.parties.models import AddressReview
from tests.factories import CustomerFactory, UserFactory, grant

FIXTURE = Path(__file__).parent / "gar" / "77"


def test_names_lose_their_type_words():
    assert clean_name("г. Зеленоград") == "зеленоград"
    assert clean_name("ул. Ленина") == "ленина"
    assert clean_name("Солнечная аллея") == "солнечная"
    assert split_house("12к1") == ("12", "1", "", "")
    assert split_house("д. 5А стр. 2") == ("5", "", "2", "А")
    assert split_house("12") == ("12", "", "", "")


@pytest.mark.django_db
def test_typed_addresses_match_and_the_rest_go_to_review():
    import_gar(FIXTURE)
    flat = CustomerFactory(locality="г. Зеленоград", street="ул. Ленина", house="12", apartment="5")
    corpus = CustomerFactory(locality="Зеленоград", street="Ленина", house="12к1", apartment="7")
    office = CustomerFactory(
        locality="Зеленоград", street="Солнечная аллея", house="5а с2", apartment="1"
    )
    no_street = CustomerFactory(locality="Зеленоград", street="Пушкина", house="1")
    no_town = CustomerFactory(locality="Тверь", street="Ленина", house="12")
    empty = CustomerFactory(locality="", street="", house="")

    result = match_customer_addresses(batch=2)

    assert (result.matched, result.unmatched) == (3, 2)
    flat.refresh_from_db()
    corpus.refresh_from_db()
    assert flat.address_object == AddressObject.objects.get(gar_object_id=500)
    assert corpus.address_object == AddressObject.objects.get(gar_object_id=401)
    office.refresh_from_db()
    assert office.address_object == AddressObject.objects.get(gar_object_id=501)
    assert corpus.apartment == "7"  # the typed apartment stays readable
    reasons = dict(AddressReview.objects.values_list("customer__login", "reason"))
    assert reasons == {no_street.login: "no_street", no_town.login: "no_locality"}
    assert Customer.objects.get(pk=empty.pk).address_object is None

    # Staff pick the object; the row is resolved and the customer linked.
    street = AddressObject.objects.get(gar_object_id=300)
    resolve_review(review=AddressReview.objects.get(customer=no_street), address=street)
    assert Customer.objects.get(pk=no_street.pk).address_object == street
    assert AddressReview.objects.get(customer=no_street).is_resolved


@pytest.mark.django_db
def test_review_list_page_shows_what_did_not_match(client):
    import_gar(FIXTURE)
    CustomerFactory(login="lost1", locality="Зеленоград", street="Ленина", house="999")
    match_customer_addresses()
    staff = UserFactory()
    grant(staff, AddressReview, ["view", "change"])
    client.force_login(staff)

    page = client.get("/parties/address-review/").content.decode()
    assert "lost1" in page
    assert "house not found" in page

    response = client.post("/parties/address-review/match/", follow=True)
    assert "0 addresses matched, 1 to review." in response.content.decode()


@pytest.mark.django_db
def test_review_list_needs_the_permission(client):
    client.force_login(UserFactory())
    assert client.get("/parties/address-review/").status_code == 403
    assert client.post("/parties/address-review/match/").status_code == 403


@pytest.mark.django_db
def test_migration_turns_contract_numbers_into_main_contracts():
    active = CustomerFactory(contract_number="M-1")
    gone = CustomerFactory(contract_number="M-2", is_active=False)
    Contract.objects.all().delete()
    migration = importlib.import_module(
        "lastmile.contracts.migrations.0002_main_contracts_from_customers"
    )

    with connection.cursor() as cursor:
        cursor.execute(migration.FORWARD)
        cursor.execute(migration.FORWARD)  # a repeat adds no second contract

    by_customer = {c.customer_id: c for c in Contract.objects.filter(kind="main")}
    assert by_customer[active.pk].number == "M-1"
    assert by_customer[active.pk].state == "active"
    assert by_customer[gone.pk].state == "terminated"
    assert by_customer[gone.pk].ends_on is not None
    assert Contract.objects.count() == 2
