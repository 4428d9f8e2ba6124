"""Passports: encrypted at rest, shown only with the permission."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from lastmile.customers.models import Customer
from lastmile.parties import services
from lastmile.parties.errors import InvalidValue
from lastmile.parties.models import IndividualDetails, Passport
from tests.factories import CustomerFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

PASSPORT = Passport(
    series="4509",
    number="123456",
    issued_by="ОВД Тверского района",
    issued_on=dt.date(2010, 5, 1),
    unit_code="770-001",
    birth_date=dt.date(1990, 3, 4),
)


def test_passport_is_encrypted_at_rest_and_read_back():
    customer = CustomerFactory()
    services.save_individual(
        customer=customer, last_name="Петров", first_name="Пётр", passport=PASSPORT
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT passport_encrypted FROM parties_individualdetails")
        (stored,) = cursor.fetchone()
    assert "123456" not in stored and "1990" not in stored
    details = IndividualDetails.objects.get(customer=customer)
    assert details.passport == PASSPORT
    assert details.has_passport


@pytest.mark.parametrize(
    ("passport", "field"),
    [
        (Passport(series="45A9", number="1"), "series"),
        (Passport(unit_code="7700"), "unit_code"),
        (Passport(birth_date=dt.date(2999, 1, 1)), "birth_date"),
        (Passport(issued_on=dt.date(1980, 1, 1), birth_date=dt.date(1990, 1, 1)), "issued_on"),
    ],
)
def test_bad_passport_values_are_refused(passport, field):
    with pytest.raises(InvalidValue) as info:
        services.save_individual(customer=CustomerFactory(), passport=passport)
    assert info.value.field == field


def test_passport_is_hidden_without_the_permission(client):
    customer = CustomerFactory()
    services.save_individual(customer=customer, last_name="Петров", passport=PASSPORT)
    clerk = UserFactory()
    grant(clerk, Customer, ["view"])

    assert services.read_passport(customer=customer, actor=clerk) is None
    client.force_login(clerk)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "123456" not in page
    assert "Петров" in page

    grant(clerk, IndividualDetails, ["view"])
    clerk = type(clerk).objects.get(pk=clerk.pk)
    assert services.read_passport(customer=customer, actor=clerk) == PASSPORT
    client.force_login(clerk)
    assert "123456" in client.get(f"/customers/{customer.pk}/").content.decode()
