"""One presentation of values on every page: money and dates.

Money is grouped and uses the decimal separator of the active language
("1 500,00 ₽" in Russian, "1,500.00 ₽" in English), with the configured
currency symbol after it; exports keep the plain value ("1500.00") so that
spreadsheets read numbers.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.formats import number_format

NBSP = "\u00a0"


def format_money(value: Any, *, symbol: bool = True) -> str:
    """``value`` as money for a page; "" for None, the value itself if not a number."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    text = number_format(amount, 2, use_l10n=True, force_grouping=True)
    # Django groups Russian with a plain space; a non-breaking one keeps an amount on one line.
    text = text.replace(" ", NBSP)
    currency = settings.LASTMILE.currency_symbol if symbol else ""
    return f"{text}{NBSP}{currency}" if currency else text
