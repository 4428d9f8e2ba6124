"""Webhooks: the event as JSON, signed with HMAC-SHA256 over "<timestamp>.<body>".

Headers: ``X-Lastmile-Timestamp`` (Unix seconds), ``X-Lastmile-Signature``
(``sha256=<hex>``), ``X-Lastmile-Event`` and ``X-Lastmile-Delivery`` (the
de-duplication key: receivers should ignore a repeat).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from lastmile.conf import Settings
from lastmile.notifications.channels.base import DeliveryError, Message, http_request


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *, max_age_s: int = 300
) -> bool:
    """What a receiver does: constant-time compare, and refuse stale timestamps."""
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    return age <= max_age_s and hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookChannel:
    name = "webhook"

    def is_configured(self, conf: Settings) -> bool:
        return bool(conf.webhook_urls) and conf.webhook_secret is not None

    def send(self, message: Message, conf: Settings) -> None:
        if conf.webhook_secret is None:
            raise DeliveryError("LASTMILE_WEBHOOK_SECRET is not set.", permanent=True)
        body = message.body.encode()
        timestamp = str(int(time.time()))
        http_request(
            message.recipient,
            method="POST",
            body=body,
            headers={
                "Content-Type": "application/json",
                "X-Lastmile-Timestamp": timestamp,
                "X-Lastmile-Signature": sign(
                    conf.webhook_secret.get_secret_value(), timestamp, body
                ),
                "X-Lastmile-Event": message.event,
                "X-Lastmile-Delivery": message.dedup_key,
            },
            timeout_s=conf.notify_http_timeout_s,
        )
