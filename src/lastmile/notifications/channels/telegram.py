"""Telegram Bot API: ``sendMessage`` to a linked chat; ``getUpdates`` for linking."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from lastmile.conf import Settings
from lastmile.notifications.channels.base import DeliveryError, Message, http_request, post_json


class TelegramChannel:
    name = "telegram"

    def is_configured(self, conf: Settings) -> bool:
        return conf.telegram_bot_token is not None and bool(
            conf.telegram_bot_token.get_secret_value()
        )

    def _url(self, conf: Settings, method: str) -> str:
        assert conf.telegram_bot_token is not None
        token = conf.telegram_bot_token.get_secret_value()
        return f"{conf.telegram_api_url.rstrip('/')}/bot{token}/{method}"

    def send(self, message: Message, conf: Settings) -> None:
        self.send_text(conf, chat_id=message.recipient, text=message.body)

    def send_text(self, conf: Settings, *, chat_id: str | int, text: str) -> None:
        answer = post_json(
            self._url(conf, "sendMessage"),
            {"chat_id": chat_id, "text": text},
            timeout_s=conf.notify_http_timeout_s,
        )
        _check_ok(answer)

    def get_updates(self, conf: Settings, *, offset: int) -> list[dict[str, Any]]:
        query = urlencode({"offset": offset, "timeout": 0, "allowed_updates": '["message"]'})
        _status, text = http_request(
            f"{self._url(conf, 'getUpdates')}?{query}", timeout_s=conf.notify_http_timeout_s
        )
        return list(_check_ok(text).get("result") or [])


def _check_ok(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DeliveryError(f"Telegram answered something that is not JSON: {text[:200]}") from exc
    if not isinstance(data, dict) or not data.get("ok"):
        description = data.get("description", text[:200]) if isinstance(data, dict) else text[:200]
        raise DeliveryError(f"Telegram refused: {description}", permanent=True)
    return data
