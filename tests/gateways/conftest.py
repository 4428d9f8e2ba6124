"""Helpers for gateway protocol tests: real HTTP against ``live_server``."""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from lastmile.finance.gateways.models import GatewayConfig

LOCAL = ["127.0.0.0/8", "::1/128"]


@dataclass
class HttpReply:
    status: int
    body: str
    headers: dict[str, str]


def http_request(
    base_url: str,
    method: str,
    path: str,
    *,
    query: dict[str, Any] | None = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> HttpReply:
    parts = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    url = path + ("?" + urllib.parse.urlencode(query) if query else "")
    try:
        conn.request(method, url, body=body, headers=headers or {})
        response = conn.getresponse()
        return HttpReply(
            response.status,
            response.read().decode(),
            {k.lower(): v for k, v in response.getheaders()},
        )
    finally:
        conn.close()


def configure(
    name: str, *, credentials: dict[str, str] | None = None, **fields: Any
) -> GatewayConfig:
    fields.setdefault("is_enabled", True)
    fields.setdefault("allowed_networks", LOCAL)
    for key in ("min_amount", "max_amount"):
        if isinstance(fields.get(key), str):
            fields[key] = Decimal(fields[key])
    config, _ = GatewayConfig.objects.update_or_create(name=name, defaults=fields)
    if credentials is not None:
        config.set_credentials(credentials)
        config.save()
    return config


def in_threads(work: Callable[[int], Any], count: int) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released at once; return results in order."""
    results: list[Any] = [None] * count
    barrier = threading.Barrier(count)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as exc:  # returned to the test, which asserts on it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def base_url(live_server) -> str:  # type: ignore[no-untyped-def]
    return str(live_server.url)
