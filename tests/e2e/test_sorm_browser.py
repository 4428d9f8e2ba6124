"""SORM staff pages in a real browser: they load in both languages and fit
a phone.  Screenshots go to /tmp/sorm-shots (looked at by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction

from lastmile.core.demo import load_demo_data
from lastmile.sorm import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/sorm-shots")


@pytest.fixture
def exported(settings, tmp_path):  # type: ignore[no-untyped-def]
    conf = settings.LASTMILE
    saved = (conf.sorm_storage_dir, conf.sorm_ftp_host, conf.sorm_watermark_wait_s)
    conf.sorm_storage_dir, conf.sorm_ftp_host, conf.sorm_watermark_wait_s = (
        tmp_path / "sorm",
        "",
        0.0,
    )
    with transaction.atomic():
        load_demo_data(customers=12, seed=1)
    run = services.run_export(full=True)
    yield run
    conf.sorm_storage_dir, conf.sorm_ftp_host, conf.sorm_watermark_wait_s = saved


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("width", [1366, 390])
def test_sorm_pages_load_and_fit(live_server, browser, exported, language, width):  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    paths = {
        "runs": "/sorm/",
        "run": f"/sorm/{exported.pk}/",
        "gaps": "/sorm/gaps/",
        "settings": "/sorm/settings/",
    }
    widths = {}
    for name, path in paths.items():
        response = page.goto(f"{live_server.url}{path}", wait_until="networkidle")
        assert response is not None and response.status == 200, path
        assert page.locator("html").get_attribute("lang") == language
        page.screenshot(path=str(SHOTS / f"{name}-{language}-{width}.png"), full_page=True)
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert widths == dict.fromkeys(widths, width)
