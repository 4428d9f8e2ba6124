from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from tests.notifications.peers import TOKEN, WEBHOOK_SECRET, HttpPeer, SmtpPeer, free_port


@pytest.fixture
def smtp_peer():  # type: ignore[no-untyped-def]
    peer = SmtpPeer()
    peer.start()
    yield peer
    peer.stop()


@pytest.fixture
def http_peer():  # type: ignore[no-untyped-def]
    peer = HttpPeer()
    peer.start()
    yield peer
    peer.stop()


def configure(monkeypatch: Any, settings: Any, **values: Any) -> Any:
    conf = settings.LASTMILE
    for key, value in values.items():
        monkeypatch.setattr(conf, key, value)
    return conf


@pytest.fixture
def no_channels(monkeypatch, settings):  # type: ignore[no-untyped-def]
    """Every channel off, quiet hours off: tests turn on what they use."""
    return configure(
        monkeypatch,
        settings,
        smtp_host="",
        telegram_bot_token=None,
        sms_url_template="",
        webhook_urls=[],
        webhook_secret=None,
        notify_quiet_hours_start=0,
        notify_quiet_hours_end=0,
        language_code="en",
    )


@pytest.fixture
def channels(monkeypatch, settings, no_channels, smtp_peer, http_peer):  # type: ignore[no-untyped-def]
    """All four channels pointed at the local peers."""
    configure(
        monkeypatch,
        settings,
        smtp_host="127.0.0.1",
        smtp_port=smtp_peer.port,
        smtp_from="billing@isp.test",
        telegram_bot_token=SecretStr(TOKEN),
        telegram_api_url=http_peer.url,
        sms_url_template=http_peer.url + "/sms?to={phone}&msg={text}&from={sender}",
        sms_sender="ISP",
        sms_success_text="OK",
        webhook_urls=[http_peer.url + "/hook"],
        webhook_secret=SecretStr(WEBHOOK_SECRET),
        notify_max_attempts=3,
    )
    return smtp_peer, http_peer


@pytest.fixture
def dead_port() -> int:
    return free_port()
