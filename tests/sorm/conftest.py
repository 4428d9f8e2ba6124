"""SORM test helpers: files go to a temporary directory, and the journal's
clock follows time-machine.

pghistory stamps events with the database's ``now()``, which time-machine
cannot move (and which is constant inside a test's transaction).  The
``journal_clock`` fixture adds, for the test only (rolled back with it), a
BEFORE INSERT trigger on the journal tables that takes the event time from a
session setting, and ``travel`` sets that setting with the Python clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
import time_machine
from django.db import connection

JOURNAL_TABLES = (
    "customers_customerevent",
    "subscriptions_subscriptionevent",
    "network_leaseevent",
    "network_poolevent",
    "network_nasevent",
    "parties_individualdetailsevent",
    "devices_deviceevent",
)


@pytest.fixture(autouse=True)
def sorm_storage(settings, tmp_path):  # type: ignore[no-untyped-def]
    conf = settings.LASTMILE
    saved = {
        name: getattr(conf, name)
        for name in (
            "sorm_storage_dir",
            "sorm_ftp_host",
            "sorm_ftp_retry_base_s",
            "sorm_watermark_wait_s",
            "sorm_enabled",
        )
    }
    conf.sorm_storage_dir = tmp_path / "sorm"
    conf.sorm_ftp_host = ""
    conf.sorm_ftp_retry_base_s = 0.0
    conf.sorm_watermark_wait_s = 0.0
    yield conf
    for name, value in saved.items():
        setattr(conf, name, value)


@pytest.fixture
def journal_clock(db):  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE OR REPLACE FUNCTION public.sorm_test_clock() RETURNS trigger AS $$
            BEGIN
              -- Only the trigger-written stamp (now()); a seeded entry keeps its own.
              IF coalesce(current_setting('lastmile.test_clock', true), '') <> ''
                 AND NEW.pgh_created_at = now() THEN
                NEW.pgh_created_at := current_setting('lastmile.test_clock')::timestamptz;
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql
            """
        )
        for table in JOURNAL_TABLES:
            cursor.execute(
                f"CREATE TRIGGER zz_sorm_test_clock BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION public.sorm_test_clock()"
            )
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lastmile.test_clock', '', false)")


@contextmanager
def travel(at: datetime) -> Iterator[None]:
    """Move the Python clock and the journal's clock to ``at`` (frozen)."""
    with time_machine.travel(at, tick=False):
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lastmile.test_clock', %s, false)", [at.isoformat()])
        yield
