"""Logs never carry secrets: run scenarios that handle known secrets and
fail, capture what the configured log pipeline writes, grep for the secrets."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import structlog
from django.db import OperationalError
from django.test import Client

from lastmile import logs
from lastmile.accounts.services import create_api_token
from tests.factories import UserFactory

DB_PASSWORD = "Pg-Super-Secret-4711"
FAILING_URL = f"postgresql://lastmile:{DB_PASSWORD}@127.0.0.1:9/lastmile?connect_timeout=1"


def _console_formatter() -> logging.Formatter:
    """The formatter the running configuration gave the console handler."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter):
            return handler.formatter
    raise AssertionError("logs.configure() installed no structlog console handler")


@pytest.fixture(params=["console", "json"])
def captured(request) -> Iterator[io.StringIO]:  # type: ignore[no-untyped-def]
    """Everything the root logger writes, through the console or the JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        _console_formatter() if request.param == "console" else logs.build_formatter(json=True)
    )
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def _connect(url: str) -> None:
    dsn = url  # a local holding the password, as the embedded cluster's helpers have
    params: dict[str, Any] = {"password": DB_PASSWORD, "conninfo": dsn}
    psycopg.connect(dsn, **{k: v for k, v in params.items() if k != "conninfo"})


def test_failing_database_url_with_a_password_is_logged_without_it(captured):
    log = structlog.get_logger("lastmile.test")
    try:
        _connect(FAILING_URL)
    except psycopg.OperationalError:
        log.exception("db.connect_failed", url=FAILING_URL, database_password=DB_PASSWORD)
    try:
        raise RuntimeError(f"cannot use {FAILING_URL} (password={DB_PASSWORD})")
    except RuntimeError:
        logging.getLogger("django.request").error("Internal Server Error", exc_info=True)
    output = captured.getvalue()
    assert "db.connect_failed" in output and "RuntimeError" in output  # the events are there
    assert "Traceback" in output or "traceback" in output
    assert DB_PASSWORD not in output
    assert "postgresql://lastmile:***@127.0.0.1:9" in output  # the useful part stays


@pytest.mark.django_db
def test_request_whose_bearer_token_lookup_fails_is_logged_without_the_token(captured, monkeypatch):
    user = UserFactory(username="api-user", is_superuser=True)
    _token, secret = create_api_token(user=user, name="t")

    def database_gone(raw: str) -> str:
        raise OperationalError("connection failed: FATAL: sorry, too many clients already")

    # The database going away during the token lookup (what the demo log showed).
    monkeypatch.setattr("lastmile.accounts.services._digest", database_gone)
    response = Client().get(
        "/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_COOKIE="sessionid=abc"
    )
    assert response.status_code == 500
    output = captured.getvalue()
    assert "api.unhandled_error" in output and "too many clients" in output
    assert secret not in output
    assert secret.split("_")[2] not in output  # not even the secret part of it


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("Authorization: Bearer lm_0a1b2c3d_SECRETSECRETSECRET", "SECRETSECRETSECRET"),
        ("token lmc_0a1b2c3d_AbCdEfGhIjKlMnOp was used", "AbCdEfGhIjKlMnOp"),
        ("redis://:hunter2hunter2@cache:6379/0", "hunter2hunter2"),
        ("host=db password=s3cr3t-pw user=x", "s3cr3t-pw"),
        ("{'password': 'iWx-wp2y3', 'user': 'postgres'}", "iWx-wp2y3"),
        ('{"api_key": "AK-998877", "n": 1}', "AK-998877"),
        ("GET /hook?token=tok-123456&x=1", "tok-123456"),
        ("client_secret=abc-def-ghi", "abc-def-ghi"),
        ("X-Gateway-Key: rncb-secret-123", "rncb-secret-123"),
        ("Cookie: sessionid=abcdef123456", "abcdef123456"),
    ],
)
def test_redaction_finds_secrets_inside_text(text, hidden):
    event = logs.redact_secrets(None, "info", {"event": "x", "detail": text, "nested": [text]})
    assert hidden not in repr(event)


def test_values_under_secret_names_are_redacted_at_any_depth():
    event = logs.redact_secrets(
        None,
        "info",
        {
            "event": "x",
            "DATABASE_URL": "postgresql://u:pw-1@h/db",
            "smtp_password": "pw-2",
            "params": {"Authorization": "Basic cGF5Y29tOnB3LTM=", "count": 3},
            "headers": [("X-Api-Key", "pw-4")],
            "token_count": 2,
            "session_id": "acct-5a1",
            "dedup_key": "nas-1:42",
        },
    )
    text = repr(event)
    for secret in ("pw-1", "pw-2", "cGF5Y29tOnB3LTM=", "pw-4"):
        assert secret not in text
    assert event["params"]["count"] == 3 and event["token_count"] == 2
    assert (event["session_id"], event["dedup_key"]) == ("acct-5a1", "nas-1:42")


def test_source_lines_in_tracebacks_stay_readable():
    line = "token = ApiToken.objects.usable().filter(digest=_digest(raw)).first()"
    assert logs.redact_text(line) == line
