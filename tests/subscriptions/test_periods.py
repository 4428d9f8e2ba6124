"""Python and SQL period arithmetic agree (the billing run uses the SQL one)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lastmile.subscriptions.periods import period_boundary


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    anchor=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
    ),
    n=st.integers(min_value=0, max_value=40),
    kind=st.sampled_from(["month", "days"]),
    days=st.integers(min_value=1, max_value=90),
)
def test_python_and_sql_period_boundaries_agree(anchor, n, kind, days):
    with connection.cursor() as cur:
        cur.execute(
            "SELECT lastmile_period_boundary(%s, %s, %s, %s, %s)",
            [anchor, n, kind, days, django_settings.TIME_ZONE],
        )
        (from_sql,) = cur.fetchone()
    assert from_sql == period_boundary(anchor, n, kind, days)


def test_month_end_anchor_does_not_drift():
    anchor = datetime(2026, 1, 30, 21, 0, tzinfo=UTC)  # 31 Jan 00:00 in Moscow
    local_days = [
        (period_boundary(anchor, n, "month", None) + timedelta(hours=3)).day for n in range(1, 5)
    ]
    assert local_days == [28, 31, 30, 31]
