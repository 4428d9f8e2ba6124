"""Money in the REST API: a JSON string like "1500.50", never a JSON number
(a float cannot hold kopecks exactly)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

MONEY_PATTERN = r"^-?\d{1,12}(\.\d{1,2})?$"

MoneyIn = Annotated[
    str,
    Field(
        pattern=MONEY_PATTERN,
        description='Decimal amount as a string, at most two decimal places, e.g. "1500.50".',
        examples=["1500.50"],
    ),
]

MoneyOut = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str, when_used="always"),
    Field(description="Decimal amount as a string with two decimal places."),
]
