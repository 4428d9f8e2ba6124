"""`lastmile check` warns while static files are not collected (the web
server would serve pages without their stylesheet), and not after."""

from __future__ import annotations

from django.core.management import call_command

from lastmile.core.checks import static_files_collected


def test_warns_until_collectstatic_has_run(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    warnings = static_files_collected()
    assert [w.id for w in warnings] == ["lastmile.W001"]
    assert "collectstatic" in (warnings[0].hint or "")
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "static" / "lastmile" / "lastmile.css").exists()
    assert static_files_collected() == []
