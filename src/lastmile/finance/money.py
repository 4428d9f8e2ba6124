"""The one money type (Decimal with two places) and the one parser of amounts
that arrive as text: forms, API bodies, gateway callbacks, registry files.

``parse_money`` is strict on purpose: ASCII digits only, at most one decimal
separator (which one is the caller's protocol's choice), at most two decimals,
no sign unless asked for, no exponent, no underscores, no Unicode digits, no
surrounding blanks.  Every amount is bounded by ``LASTMILE_PAYMENT_MAX_AMOUNT``
and, whatever that says, by what a NUMERIC(14,2) column holds.  Python's
``Decimal()`` and ``int()`` accept "1e9", "1_000" and Arabic-Indic digits, so neither is
ever called on input text directly.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal

from django.conf import settings

from lastmile.finance.errors import AmountTooLarge, InvalidAmount

CENT = Decimal("0.01")
# The largest value of a NUMERIC(14,2) column: every money column, every balance.
COLUMN_MAX = Decimal("999999999999.99")
_MAX_TEXT = 40
_MINOR_UNITS = re.compile(r"-?[0-9]{1,16}", re.ASCII)
# Digit groups a person may type: "1 500,50", with a space or a no-break space.
_GROUP_SPACES = str.maketrans("", "", " \u00a0\u202f")


def configured_maximum() -> Decimal:
    """The largest amount accepted from any input (never above the column)."""
    maximum = Decimal(settings.LASTMILE.payment_max_amount)
    return min(maximum, COLUMN_MAX)


def _pattern(separators: str) -> re.Pattern[str]:
    sep = "[" + re.escape(separators) + "]"
    return re.compile(rf"(-?)([0-9]{{1,15}})(?:{sep}([0-9]{{1,2}}))?", re.ASCII)


def parse_money(
    text: str,
    *,
    field: str = "amount",
    separators: str = ".",
    grouping: bool = False,
    allow_negative: bool = False,
    maximum: Decimal | None = None,
) -> Decimal:
    """Parse an amount typed by a person or sent by a peer; raise ``InvalidAmount``.

    ``separators``: the decimal separator(s) the protocol defines ("." for
    gateways and the API, ".," for people).  ``grouping``: digit groups
    separated by spaces are allowed (forms, registry files).  ``maximum``
    defaults to ``LASTMILE_PAYMENT_MAX_AMOUNT``; the absolute value must not
    exceed it (``AmountTooLarge``).
    """
    if not isinstance(text, str):
        raise InvalidAmount(f"{field}: an amount must be given as text, got {type(text).__name__}.")
    given = text.translate(_GROUP_SPACES) if grouping else text
    match = _pattern(separators).fullmatch(given) if len(given) <= _MAX_TEXT else None
    if match is None:
        shown = text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "…"
        raise InvalidAmount(
            f"{field}: {shown!r} is not an amount; write digits 0-9 with at most two "
            f"decimals after {' or '.join(repr(s) for s in separators)}, e.g. 1500{separators[0]}50."
        )
    sign, whole, cents = match.groups()
    if sign and not allow_negative:
        raise InvalidAmount(f"{field}: the amount must not be negative.")
    amount = Decimal(f"{sign}{whole}.{(cents or '').ljust(2, '0')}")
    return _bounded(amount, field=field, maximum=maximum)


def _bounded(amount: Decimal, *, field: str, maximum: Decimal | None) -> Decimal:
    limit = min(maximum if maximum is not None else configured_maximum(), COLUMN_MAX)
    if abs(amount) > limit:
        raise AmountTooLarge(
            f"{field}: {amount} is above the maximum amount {limit}.", maximum=limit
        )
    return amount


def within_maximum(amount: Decimal, *, field: str = "amount") -> Decimal:
    """``amount`` if its absolute value is within LASTMILE_PAYMENT_MAX_AMOUNT, else
    ``AmountTooLarge``: what the services accept, whoever the caller is."""
    return _bounded(amount, field=field, maximum=None)


def to_money(value: object, *, field: str = "amount") -> Decimal:
    """A money Decimal from a value given by code: a Decimal, an int, or text
    (which goes through ``parse_money`` with a "." and an optional sign).

    A float is a programming error here (it cannot hold kopecks exactly), so it
    is refused rather than rounded.  Bounded by the column, not by the
    configured maximum: the services apply that to what they accept.
    """
    if isinstance(value, str):
        return parse_money(value, field=field, allow_negative=True, maximum=COLUMN_MAX)
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidAmount(f"{field}: money must be a Decimal, an int or text, not {value!r}.")
    amount = Decimal(value)
    if not amount.is_finite():
        raise InvalidAmount(f"{field}: {value!r} is not a finite number.")
    if abs(amount) > COLUMN_MAX:
        raise AmountTooLarge(
            f"{field}: {amount} is above the maximum amount {COLUMN_MAX}.", maximum=COLUMN_MAX
        )
    if amount != amount.quantize(CENT, rounding=ROUND_DOWN):
        raise InvalidAmount(f"{field}: at most two decimal places (kopecks), got {value}.")
    return amount.quantize(CENT)


def from_minor_units(value: int | str, *, field: str = "amount") -> Decimal:
    """Kopecks / tiyin (a whole number of minor units) to a money Decimal.

    An int (not a bool) or ASCII digits with an optional "-"; bounded like
    every amount, so 10**30 is a refusal, not an arithmetic error."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidAmount(f"{field}: {value!r} is not a whole number of minor units.")
    if isinstance(value, str) and not _MINOR_UNITS.fullmatch(value):
        raise InvalidAmount(f"{field}: {value!r} is not a whole number of minor units.")
    minor = int(value)
    if abs(minor) > COLUMN_MAX * 100:
        raise AmountTooLarge(
            f"{field}: {minor} minor units is above the maximum amount {COLUMN_MAX}.",
            maximum=COLUMN_MAX,
        )
    return _bounded(Decimal(minor).scaleb(-2).quantize(CENT), field=field, maximum=None)


def to_minor_units(amount: Decimal) -> int:
    return int((to_money(amount) * 100).to_integral_exact())
