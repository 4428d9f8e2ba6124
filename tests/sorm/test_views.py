"""Staff pages: export log with downloads, data gaps with CSV, settings."""

from __future__ import annotations

import json
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from lastmile.sorm import services
from lastmile.sorm.models import DataGap, ExportRun, GapKind
from tests.factories import CustomerFactory, UserFactory
from tests.sorm.conftest import travel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("journal_clock")]

MSK = ZoneInfo("Europe/Moscow")
AT = datetime(2026, 5, 1, 2, 0, tzinfo=MSK)


@pytest.fixture
def run():  # type: ignore[no-untyped-def]
    with travel(AT):
        CustomerFactory(pppoe=True, login="ivanov", full_name="", phones=["+79001112233"])
        return services.run_export(full=True)


def test_export_log_lists_runs_and_files_download_byte_exact(admin_client, run):  # type: ignore[no-untyped-def]
    page = admin_client.get(reverse("sorm:run_list"))
    assert page.status_code == 200
    detail = admin_client.get(reverse("sorm:run_detail", args=[run.pk]))
    assert detail.status_code == 200
    assert "ISP/abonents/abonents_v1_01052026020000.txt" in detail.content.decode()
    export_file = run.files.get(file_type="abonents")
    download = admin_client.get(reverse("sorm:file_download", args=[export_file.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert body == services.stored_file(export_file).read_bytes()
    assert download["X-Content-SHA256"] == export_file.sha256
    assert "abonents_v1_01052026020000.txt" in download["Content-Disposition"]


def test_data_gaps_page_filters_and_exports_csv(admin_client, run):  # type: ignore[no-untyped-def]
    assert DataGap.objects.filter(kind=GapKind.NO_NAME).count() == 1
    page = admin_client.get(reverse("sorm:gap_list"), {"kind": GapKind.NO_NAME})
    assert page.status_code == 200
    assert "ivanov" in page.content.decode()
    csv = admin_client.get(reverse("sorm:gap_list"), {"kind": GapKind.NO_NAME, "_export": "csv"})
    text = b"".join(csv.streaming_content).decode() if csv.streaming else csv.content.decode()
    assert "ivanov" in text
    other = admin_client.get(reverse("sorm:gap_list"), {"kind": GapKind.BAD_MAC})
    assert "ivanov" not in other.content.decode()


def test_settings_page_never_shows_the_password(admin_client, settings):  # type: ignore[no-untyped-def]
    from pydantic import SecretStr

    saved = settings.LASTMILE.sorm_ftp_password
    settings.LASTMILE.sorm_ftp_password = SecretStr("hunter2")
    try:
        page = admin_client.get(reverse("sorm:settings"))
    finally:
        settings.LASTMILE.sorm_ftp_password = saved
    assert page.status_code == 200
    text = page.content.decode()
    assert "LASTMILE_SORM_FTP_HOST" in text
    assert "hunter2" not in text


def test_staff_without_permission_is_refused(run):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(UserFactory(username="clerk"))
    assert client.get(reverse("sorm:settings")).status_code == 403
    export_file = run.files.first()
    assert client.get(reverse("sorm:file_download", args=[export_file.pk])).status_code == 404
    assert client.post(reverse("sorm:run_start"), {"full": "1"}).status_code == 403


def test_export_now_queues_a_job(admin_client):  # type: ignore[no-untyped-def]
    response = admin_client.post(reverse("sorm:run_start"), {"full": "1"})
    assert response.status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT args FROM procrastinate_jobs WHERE task_name = 'sorm.export_now'")
        (args,) = cursor.fetchone()
    args = json.loads(args) if isinstance(args, str) else args
    assert args["full"] is True


def test_command_runs_full_and_as_of():  # type: ignore[no-untyped-def]
    with travel(AT):
        CustomerFactory(pppoe=True, login="ivanov", full_name="Иванов", phones=["+79001112233"])
        out = StringIO()
        call_command("sorm_export", "--full", stdout=out)
    assert "abonents_v1_01052026020000.txt: 1 rows" in out.getvalue()
    out = StringIO()
    call_command("sorm_export", "--as-of", "2026-05-01T01:00:00+03:00", stdout=out)
    assert "(as_of)" in out.getvalue()
    assert ExportRun.objects.count() == 2


def test_the_export_log_filters_by_local_dates_with_pickers(admin_client, run):  # type: ignore[no-untyped-def]
    """A filter by the local day the table shows finds the run; the day after
    does not; a malformed date finds nothing rather than everything."""
    from datetime import timedelta

    from django.utils import timezone

    day = timezone.localtime(run.started_at).date()
    url = reverse("sorm:run_list")
    page = admin_client.get(url).content.decode()
    assert 'name="started_after"' in page and 'type="date"' in page
    found = admin_client.get(url, {"started_after": str(day), "started_before": str(day)})
    assert f"/sorm/{run.pk}/" in found.content.decode()
    later = admin_client.get(url, {"started_after": str(day + timedelta(days=1))})
    assert f"/sorm/{run.pk}/" not in later.content.decode()
    earlier = admin_client.get(url, {"started_before": str(day - timedelta(days=1))})
    assert f"/sorm/{run.pk}/" not in earlier.content.decode()
    bad = admin_client.get(url, {"started_after": "yesterday"})
    assert bad.status_code in (200, 400)
    assert f"/sorm/{run.pk}/" not in bad.content.decode()
