"""Legal entities: requisites refused with a message, branches (one legal entity, dates)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from lastmile.contracts import services as contracts
from lastmile.parties import services
from lastmile.parties.errors import AlreadyExists, DatesMismatch, InvalidValue
from lastmile.parties.models import Branch
from tests.factories import CustomerFactory
from tests.parties.helpers import (
    VALID_INN12,
    VALID_OGRNIP,
    legal_entity,
    legal_values,
    legal_with_contract,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("inn", "7707083894", "INN fails its control digit"),
        ("ogrn", "1027700132196", "OGRN fails its control digit"),
        ("bik", "144525225", "BIK has 9 digits"),
        ("account", "40702814400000000002", "does not match the BIK"),
        ("correspondent_account", "30101810400000000226", "does not match the BIK"),
        ("kpp", "12", "KPP has 9 characters"),
    ],
)
def test_wrong_requisites_are_refused_with_the_field(field, value, message):
    with pytest.raises(InvalidValue) as info:
        services.create_legal_entity(**legal_values(**{field: value}))
    assert info.value.field == field
    assert message in str(info.value)


def test_entrepreneur_needs_12_digit_inn_and_ogrnip():
    entity = services.create_legal_entity(
        **legal_values(kind="entrepreneur", inn=VALID_INN12, ogrn=VALID_OGRNIP, kpp="x")
    )
    assert entity.kpp == ""
    with pytest.raises(InvalidValue, match="12 digits"):
        services.update_legal_entity(legal_entity=entity, changes={"inn": "7707083893"})


def test_inn_is_unique():
    legal_entity()
    with pytest.raises(AlreadyExists):
        legal_entity()


def test_export_name_is_the_whole_organisation():
    entity, _ = legal_with_contract()
    customer = CustomerFactory()
    contracts.create_contract(number="B-1", starts_on=dt.date(2024, 1, 10), customer=customer)
    branch = services.attach_branch(customer=customer, legal_entity=entity, name="Склад №2")
    assert branch.export_name == "ООО Ромашка"
    customer.refresh_from_db()
    assert customer.kind == "legal"


def test_a_second_legal_entity_for_one_branch_is_refused_by_the_database():
    entity, _ = legal_with_contract()
    other = services.create_legal_entity(**legal_values(inn="7830002293", short_name="ООО Другая"))
    customer = CustomerFactory()
    services.attach_branch(customer=customer, legal_entity=entity)

    with pytest.raises(IntegrityError), transaction.atomic():
        Branch.objects.create(customer=customer, legal_entity=other)
    with pytest.raises(AlreadyExists, match="already a branch of ООО «Ромашка»"):
        services.attach_branch(customer=customer, legal_entity=other)


def test_branch_contract_dates_must_match():
    entity, _ = legal_with_contract(starts_on=dt.date(2024, 1, 10))
    customer = CustomerFactory()
    contracts.create_contract(number="B-2", starts_on=dt.date(2024, 2, 1), customer=customer)

    with pytest.raises(DatesMismatch) as info:
        services.attach_branch(customer=customer, legal_entity=entity)
    assert "starts on 01.02.2024" in str(info.value)
    assert "starts on 10.01.2024" in str(info.value)
    assert not Branch.objects.exists()


def test_a_new_contract_of_a_branch_must_start_with_the_legal_entity():
    entity, _ = legal_with_contract(starts_on=dt.date(2024, 1, 10))
    customer = CustomerFactory()
    services.attach_branch(customer=customer, legal_entity=entity)
    with pytest.raises(DatesMismatch, match=r"10\.01\.2024"):
        contracts.create_contract(number="B-3", starts_on=dt.date(2024, 3, 1), customer=customer)


def test_legal_entity_without_contract_cannot_take_branches():
    entity = legal_entity()
    with pytest.raises(DatesMismatch, match="no live main contract"):
        services.attach_branch(customer=CustomerFactory(), legal_entity=entity)
