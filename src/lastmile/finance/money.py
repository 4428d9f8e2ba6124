"""The one money type: Decimal with two places.  Floats are refused outright."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation

from lastmile.finance.errors import InvalidAmount

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")


def to_money(value: object, *, field: str = "amount") -> Decimal:
    """Parse an amount given as Decimal, int or string; exactly two decimal places at most.

    A float is a programming error here (it cannot hold kopecks exactly), so it
    is refused rather than rounded.
    """
    if isinstance(value, float | bool):
        raise InvalidAmount(f"{field}: money must not be a float; pass a Decimal or a string.")
    try:
        amount = (
            value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
        )
    except (InvalidOperation, ValueError) as exc:
        raise InvalidAmount(f"{field}: {value!r} is not a number.") from exc
    if not amount.is_finite():
        raise InvalidAmount(f"{field}: {value!r} is not a finite number.")
    if amount != amount.quantize(CENT, rounding=ROUND_DOWN):
        raise InvalidAmount(f"{field}: at most two decimal places (kopecks), got {value}.")
    if abs(amount) > MAX_AMOUNT:
        raise InvalidAmount(f"{field}: {value} is too large.")
    return amount.quantize(CENT)


def from_minor_units(value: int | str, *, field: str = "amount") -> Decimal:
    """Kopecks / tiyin (integer minor units) to a money Decimal, explicitly."""
    try:
        minor = int(str(value).strip())
    except ValueError as exc:
        raise InvalidAmount(f"{field}: {value!r} is not a whole number of minor units.") from exc
    return to_money(Decimal(minor) / 100, field=field)


def to_minor_units(amount: Decimal) -> int:
    return int((to_money(amount) * 100).to_integral_exact())
