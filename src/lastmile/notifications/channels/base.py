"""What every channel plugin is: a name, a "configured?" check and ``send``."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

from lastmile.conf import Settings


class DeliveryError(Exception):
    """Sending failed.  ``permanent`` failures are not retried (bad address,
    rejected by the peer); others are retried with back-off."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    """What a channel needs to send one outbox row."""

    id: int
    event: str
    recipient: str
    subject: str
    body: str
    dedup_key: str
    payload: dict[str, Any] = field(default_factory=dict)


class ChannelPlugin(Protocol):
    name: str

    def is_configured(self, conf: Settings) -> bool: ...

    def send(self, message: Message, conf: Settings) -> None: ...


def http_request(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout_s: float = 10,
) -> tuple[int, str]:
    """One HTTP call with the stdlib; 5xx, 429 and network errors are
    temporary, other 4xx permanent.  Returns (status, text) of a 2xx answer."""
    if not url.startswith(("http://", "https://")):
        raise DeliveryError(f"Not an http(s) URL: {url[:80]}", permanent=True)
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            return response.status, response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        text = exc.read(2048).decode("utf-8", "replace") if exc.fp else ""
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        raise DeliveryError(f"HTTP {exc.code}: {text[:300]}", permanent=permanent) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"Cannot reach {_host(url)}: {reason}") from exc


def post_json(
    url: str, data: Any, *, timeout_s: float, headers: dict[str, str] | None = None
) -> str:
    body = json.dumps(data, ensure_ascii=False).encode()
    _status, text = http_request(
        url,
        method="POST",
        body=body,
        headers={"Content-Type": "application/json", **(headers or {})},
        timeout_s=timeout_s,
    )
    return text


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url[:60]
