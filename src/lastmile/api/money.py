"""Money in the REST API: a JSON string like "1500.50", never a JSON number
(a float cannot hold kopecks exactly).  Parsed by ``finance.money.parse_money``
(ASCII digits, a ".", at most two decimals, at most LASTMILE_PAYMENT_MAX_AMOUNT)
into a Decimal before the endpoint runs."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

from lastmile.finance.errors import InvalidAmount
from lastmile.finance.money import parse_money

MONEY_PATTERN = r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$"


def _parse(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise ValueError('money must be a JSON string such as "1500.50", not a number')
    try:
        return parse_money(value, allow_negative=True)
    except InvalidAmount as exc:
        raise ValueError(str(exc).removeprefix("amount: ")) from exc


MoneyIn = Annotated[
    Decimal,
    BeforeValidator(_parse),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": MONEY_PATTERN,
            "description": 'Decimal amount as a string, at most two decimal places, e.g. "1500.50".',
            "examples": ["1500.50"],
        }
    ),
]

MoneyOut = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str, when_used="always"),
    Field(description="Decimal amount as a string with two decimal places."),
]
