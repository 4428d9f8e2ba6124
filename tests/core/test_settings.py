"""Secrets have no insecure defaults outside demo mode."""

from __future__ import annotations

import os
import subprocess
import sys

from lastmile.conf import Settings


def test_missing_secrets_are_a_clear_error_outside_demo():
    env = {k: v for k, v in os.environ.items() if not k.startswith("LASTMILE_")}
    proc = subprocess.run(
        [sys.executable, "-m", "lastmile.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "LASTMILE_SECRET_KEY" in proc.stderr
    assert "LASTMILE_ENCRYPTION_KEY" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_demo_mode_fills_demo_secrets_only_when_unset(monkeypatch):
    monkeypatch.setenv("LASTMILE_DEMO", "1")
    monkeypatch.setenv("LASTMILE_SECRET_KEY", "x" * 50)
    conf = Settings()
    assert conf.secret_key is not None and conf.secret_key.get_secret_value() == "x" * 50
    assert conf.encryption_key is not None


def test_toml_file_is_read(tmp_path, monkeypatch):
    config = tmp_path / "lastmile.toml"
    config.write_text('sites_enabled = true\nlog_level = "DEBUG"\n')
    monkeypatch.delenv("LASTMILE_SITES_ENABLED", raising=False)
    monkeypatch.delenv("LASTMILE_LOG_LEVEL", raising=False)
    monkeypatch.setenv("LASTMILE_CONFIG_FILE", str(config))
    conf = Settings()
    assert conf.sites_enabled is True
    assert conf.log_level == "DEBUG"


def test_env_wins_over_toml(tmp_path, monkeypatch):
    config = tmp_path / "lastmile.toml"
    config.write_text("sites_enabled = true\n")
    monkeypatch.setenv("LASTMILE_SITES_ENABLED", "0")
    monkeypatch.setenv("LASTMILE_CONFIG_FILE", str(config))
    conf = Settings()
    assert conf.sites_enabled is False


def test_configuration_doc_is_in_sync_with_the_settings():
    from pathlib import Path

    from lastmile.conf import configuration_markdown

    doc = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
    assert doc.read_text() == configuration_markdown(), (
        "run `make docs` to regenerate docs/configuration.md"
    )
