"""Calling drivers from synchronous code (Django views, management commands, jobs).

``run(driver.ports(target))`` runs the coroutine on a fresh event loop and closes
that loop's SNMP engine and UDP socket afterwards, so nothing is left open
between requests.  Inside an event loop, await the driver directly instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from lastmile.drivers.snmp_exchange import close_engine

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    async def wrapped() -> T:
        try:
            return await coro
        finally:
            close_engine()

    return asyncio.run(wrapped())
