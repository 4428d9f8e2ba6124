"""A generic HTTP SMS gateway: a URL template (GET) or a form body (POST),
with basic auth or a fixed Authorization header."""

from __future__ import annotations

import base64
from urllib.parse import quote

from lastmile.conf import Settings
from lastmile.notifications.channels.base import DeliveryError, Message, http_request


class SmsChannel:
    name = "sms"

    def is_configured(self, conf: Settings) -> bool:
        return bool(conf.sms_url_template)

    def send(self, message: Message, conf: Settings) -> None:
        values = {
            "phone": quote(message.recipient, safe=""),
            "text": quote(message.body, safe=""),
            "sender": quote(conf.sms_sender, safe=""),
            "id": str(message.id),
        }
        try:
            url = conf.sms_url_template.format(**values)
            body = (
                conf.sms_body_template.format(**values).encode() if conf.sms_body_template else None
            )
        except (KeyError, IndexError, ValueError) as exc:
            raise DeliveryError(f"Bad SMS URL/body template: {exc}", permanent=True) from exc
        headers = {}
        if conf.sms_auth_header is not None:
            headers["Authorization"] = conf.sms_auth_header.get_secret_value()
        elif conf.sms_auth_user:
            password = conf.sms_auth_password.get_secret_value() if conf.sms_auth_password else ""
            pair = base64.b64encode(f"{conf.sms_auth_user}:{password}".encode()).decode()
            headers["Authorization"] = f"Basic {pair}"
        method = conf.sms_method.upper()
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        _status, text = http_request(
            url,
            method=method,
            body=body if method == "POST" else None,
            headers=headers,
            timeout_s=conf.notify_http_timeout_s,
        )
        if conf.sms_success_text and conf.sms_success_text not in text:
            raise DeliveryError(f"The SMS gateway did not confirm: {text[:300]}")
