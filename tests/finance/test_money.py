"""The one money parser: strict text in, Decimal out, or a clear refusal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lastmile.finance.errors import AmountTooLarge, InvalidAmount
from lastmile.finance.money import (
    COLUMN_MAX,
    from_minor_units,
    parse_money,
    to_minor_units,
    to_money,
)

LENIENT = [
    "1e9",
    "1E2",
    "1_000",
    "\u0661\u0660\u0660",  # Arabic-Indic 100
    "\uff11\uff10",  # full-width 10
    "1,5",
    " 7.5 ",
    "+10",
    "10.",
    ".5",
    "1.001",
    "NaN",
    "Infinity",
    "sNaN",
    "",
    "abc",
    "1.5.0",
    "--1",
    "0x10",
    "1 000",
]


@pytest.mark.parametrize("text", LENIENT)
def test_protocol_amounts_are_ascii_digits_and_one_dot(text):
    with pytest.raises(InvalidAmount):
        parse_money(text, field="Summa")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("100", "100.00"), ("100.5", "100.50"), ("0.01", "0.01"), ("007.10", "7.10")],
)
def test_well_formed_amounts_parse_exactly(text, expected):
    assert parse_money(text) == Decimal(expected)


def test_negative_only_when_allowed():
    with pytest.raises(InvalidAmount):
        parse_money("-5")
    assert parse_money("-5.25", allow_negative=True) == Decimal("-5.25")


def test_people_may_type_a_comma_and_group_digits():
    assert parse_money("1 500,50", separators=".,", grouping=True) == Decimal("1500.50")
    assert parse_money("1\u00a0500.5", separators=".,", grouping=True) == Decimal("1500.50")
    for bad in ("1e3", "1_000", "\u0661\u0660", "1,5,0", "1.5,0"):
        with pytest.raises(InvalidAmount):
            parse_money(bad, separators=".,", grouping=True)


def test_configured_maximum_is_enforced(settings):
    settings.LASTMILE = settings.LASTMILE.model_copy(
        update={"payment_max_amount": Decimal("5000.00")}
    )
    assert parse_money("5000") == Decimal("5000.00")
    with pytest.raises(AmountTooLarge) as err:
        parse_money("5000.01")
    assert "maximum" in str(err.value)
    with pytest.raises(AmountTooLarge):
        parse_money("-5000.01", allow_negative=True)


def test_column_bound_holds_even_with_a_larger_maximum(settings):
    settings.LASTMILE = settings.LASTMILE.model_copy(
        update={"payment_max_amount": Decimal("9" * 20)}
    )
    assert parse_money(str(COLUMN_MAX)) == COLUMN_MAX
    with pytest.raises(AmountTooLarge):
        parse_money("1000000000000")


def test_non_text_is_refused():
    for value in (1.5, 10, None, True, b"10"):
        with pytest.raises(InvalidAmount):
            parse_money(value)  # type: ignore[arg-type]


def test_to_money_parses_text_strictly_and_keeps_decimals():
    assert to_money(Decimal("10.5")) == Decimal("10.50")
    assert to_money(7) == Decimal("7.00")
    assert to_money("10.50") == Decimal("10.50")
    for bad in ("1e2", "10,5", "1_0", "\u0661"):
        with pytest.raises(InvalidAmount):
            to_money(bad)


@pytest.mark.parametrize("minor", [10**30, -(10**30), "1_000", "\u0661\u0660", "1e3", True, 1.5])
def test_minor_units_are_bounded_whole_ascii_numbers(minor):
    with pytest.raises(InvalidAmount):
        from_minor_units(minor)  # type: ignore[arg-type]


def test_minor_units_convert_exactly():
    assert from_minor_units(12345) == Decimal("123.45")
    assert from_minor_units("1") == Decimal("0.01")
    assert to_minor_units(Decimal("99999999999.99")) == 9999999999999


@given(st.decimals(min_value=Decimal("-9999999.99"), max_value=Decimal("9999999.99"), places=2))
def test_every_two_place_amount_round_trips(amount):
    assert parse_money(f"{amount:.2f}", allow_negative=True) == amount
    comma = f"{abs(amount):.2f}".replace(".", ",")
    assert parse_money(comma, separators=".,") == abs(amount)


@given(st.text(max_size=20))
def test_anything_accepted_is_ascii_digits_and_one_dot(text):
    try:
        amount = parse_money(text, allow_negative=True)
    except InvalidAmount:
        return
    assert set(text) <= set("-0123456789.") and text.count(".") <= 1
    assert amount == Decimal(text).quantize(Decimal("0.01"))
