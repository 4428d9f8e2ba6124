"""Billing-period arithmetic, identical in Python and in the billing run's SQL.

A period is counted from an anchor in the operator's time zone: the n-th
period ends at ``anchor + n months`` (the day clamped to the month's length,
as PostgreSQL does, so 31 January → 28 February → 31 March, never drifting)
or at ``anchor + n * N days``.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from lastmile.finance.money import CENT


def operator_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def period_boundary(anchor: datetime, n: int, kind: str, days: int | None) -> datetime:
    """End of the n-th period counted from ``anchor`` (n = 0 is the anchor itself)."""
    tz = operator_tz()
    local = anchor.astimezone(tz).replace(tzinfo=None)
    if kind == "days":
        if not days:
            raise ValueError("a period of days needs a length")
        moved = local + timedelta(days=days * n)
    else:
        month_index = local.month - 1 + n
        year = local.year + month_index // 12
        month = month_index % 12 + 1
        day = min(local.day, calendar.monthrange(year, month)[1])
        moved = local.replace(year=year, month=month, day=day)
    return moved.replace(tzinfo=tz).astimezone(UTC)


# The same rule in SQL (parameters: anchor timestamptz, n int, kind text, days int, tz text).
PERIOD_BOUNDARY_SQL = """
CREATE OR REPLACE FUNCTION lastmile_period_boundary(
    anchor timestamptz, n integer, kind text, days integer, tz text
) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN kind = 'days'
        THEN ((anchor AT TIME ZONE tz) + make_interval(days => days * n)) AT TIME ZONE tz
        ELSE ((anchor AT TIME ZONE tz) + make_interval(months => n)) AT TIME ZONE tz
    END
$$;
"""


def prorated_refund(
    price: Decimal, period_start: datetime, period_end: datetime, at: datetime
) -> Decimal:
    """The unused part of a period, at the price paid, rounded down to the kopeck
    (a refund never exceeds what is exactly owed)."""
    if at <= period_start:
        return price
    if at >= period_end:
        return Decimal("0.00")
    total = Decimal((period_end - period_start).total_seconds())
    unused = Decimal((period_end - at).total_seconds())
    return (price * unused / total).quantize(CENT, rounding=ROUND_DOWN)
