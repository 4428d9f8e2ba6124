"""Extra fields: typed values with clear errors, upserts that never collide."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from lastmile.customers import services
from lastmile.customers.errors import (
    AlreadyExists,
    ExtraFieldNotApplicable,
    InvalidExtraValue,
    InvalidValue,
)
from lastmile.customers.models import ExtraField, ExtraFieldValue
from lastmile.customers.validation import clean_extra_value
from tests.factories import CustomerFactory, CustomerGroupFactory, ExtraFieldFactory

pytestmark = pytest.mark.django_db

NUMBER = ExtraField(pk=1, name="Floor", kind=ExtraField.Kind.NUMBER)
DATE = ExtraField(pk=2, name="Signed", kind=ExtraField.Kind.DATE)
CHOICE = ExtraField(pk=3, name="Router", kind=ExtraField.Kind.CHOICE, choices=["own", "rented"])


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        (NUMBER, "42", "42"),
        (NUMBER, " 3,50 ", "3.50"),
        (NUMBER, "-0.1", "-0.1"),
        (DATE, "2026-01-31", "2026-01-31"),
        (DATE, "31.01.2026", "2026-01-31"),
        (CHOICE, "rented", "rented"),
        (NUMBER, "", ""),
    ],
)
def test_values_are_stored_in_canonical_form(field, raw, expected):
    assert clean_extra_value(field, raw) == expected


@pytest.mark.parametrize(
    ("field", "raw", "message"),
    [
        (NUMBER, "ten", "“Floor” must be a number"),
        (NUMBER, "NaN", "must be a number"),
        (NUMBER, "Infinity", "must be a number"),
        (DATE, "2026-02-30", "“Signed” must be a date as YYYY-MM-DD or DD.MM.YYYY"),
        (DATE, "yesterday", "must be a date"),
        (CHOICE, "stolen", "“stolen” is not a choice of “Router”; choose one of: own, rented"),
    ],
)
def test_bad_values_are_rejected_with_a_clear_message(field, raw, message):
    with pytest.raises(InvalidExtraValue) as err:
        clean_extra_value(field, raw)
    assert message in str(err.value)
    assert err.value.field_id == field.pk


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4))
def test_any_finite_number_round_trips(number):
    assert Decimal(clean_extra_value(NUMBER, str(number))) == number


@given(st.text(alphabet=st.characters(categories=["L", "Zs", "P"]), min_size=1))
def test_text_without_digits_is_never_a_number(text):
    if not text.strip() or text.strip().lower() in {"nan", "inf", "infinity", "snan"}:
        return
    with pytest.raises(InvalidExtraValue):
        clean_extra_value(NUMBER, text)


def test_required_field_cannot_be_cleared():
    field = ExtraFieldFactory(name="Passport", is_required=True)
    customer = CustomerFactory()
    with pytest.raises(InvalidExtraValue, match="“Passport” is required"):
        services.set_extra_values(customer=customer, values={field.pk: "  "})


def test_saving_a_value_twice_updates_it():
    field = ExtraFieldFactory(kind=ExtraField.Kind.NUMBER)
    customer = CustomerFactory()
    services.set_extra_values(customer=customer, values={field.pk: "1"})
    services.set_extra_values(customer=customer, values={field.pk: "2,5"})
    assert list(
        ExtraFieldValue.objects.filter(customer=customer).values_list("value", flat=True)
    ) == ["2.5"]


def test_an_empty_value_removes_it():
    field = ExtraFieldFactory()
    customer = CustomerFactory()
    services.set_extra_values(customer=customer, values={field.pk: "x"})
    services.set_extra_values(customer=customer, values={field.pk: ""})
    assert not ExtraFieldValue.objects.filter(customer=customer).exists()


def test_one_bad_value_saves_nothing():
    text = ExtraFieldFactory(name="Note")
    number = ExtraFieldFactory(name="Floor", kind=ExtraField.Kind.NUMBER)
    customer = CustomerFactory()
    with pytest.raises(InvalidExtraValue):
        services.set_extra_values(customer=customer, values={text.pk: "ok", number.pk: "high"})
    assert not ExtraFieldValue.objects.filter(customer=customer).exists()


def test_field_of_another_group_does_not_apply():
    field = ExtraFieldFactory(group=CustomerGroupFactory(name="Business"))
    customer = CustomerFactory(group=CustomerGroupFactory(name="Flats"))
    with pytest.raises(ExtraFieldNotApplicable):
        services.set_extra_values(customer=customer, values={field.pk: "x"})


def test_choice_field_needs_choices():
    with pytest.raises(InvalidValue, match="at least one choice"):
        services.create_extra_field(name="Router", kind=ExtraField.Kind.CHOICE)


def test_type_change_is_refused_when_stored_values_do_not_fit():
    field = services.create_extra_field(name="Floor")
    customer = CustomerFactory()
    services.set_extra_values(customer=customer, values={field.pk: "ground"})
    with pytest.raises(InvalidValue, match="does not fit"):
        services.update_extra_field(field=field, changes={"kind": ExtraField.Kind.NUMBER})
    field.refresh_from_db()
    assert field.kind == ExtraField.Kind.TEXT


def test_same_field_name_is_allowed_in_different_groups_only():
    services.create_extra_field(name="Floor", group=CustomerGroupFactory(name="A"))
    services.create_extra_field(name="Floor", group=CustomerGroupFactory(name="B"))
    services.create_extra_field(name="Floor")
    with pytest.raises(AlreadyExists):
        services.create_extra_field(name="floor")


@pytest.mark.django_db(transaction=True)
def test_two_threads_saving_the_same_value_at_once_both_succeed():
    field = ExtraFieldFactory()
    customer = CustomerFactory()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def save(value: str) -> None:
        try:
            barrier.wait()
            services.set_extra_values(customer=customer, values={field.pk: value})
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(f"v{n % 2}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    values = list(ExtraFieldValue.objects.filter(customer=customer, field=field))
    assert len(values) == 1
    assert values[0].value in {"v0", "v1"}
