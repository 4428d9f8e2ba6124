"""Keeps a node's ``State`` fresh: LISTEN on ``lastmile_aaa`` (see the
network app's trigger migration) and reload what changed.  Listening starts
before the first load, so nothing committed in between is missed."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import psycopg
import structlog

from lastmile.aaa.state import LEASE_COLUMNS, State, lease_from_row

log = structlog.get_logger("lastmile.aaa.listener")

FULL_RESYNC_S = 600.0


class Listener:
    def __init__(self, dsn: str, state: State, own_pids: set[int]) -> None:
        self.dsn = dsn
        self.state = state
        self.own_pids = own_pids
        self._listen: psycopg.AsyncConnection[Any] | None = None
        self._query: psycopg.AsyncConnection[Any] | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._listen = await psycopg.AsyncConnection.connect(
            self.dsn, autocommit=True, application_name="lastmile-radius-listen"
        )
        await self._listen.execute("LISTEN lastmile_aaa")
        self._query = await psycopg.AsyncConnection.connect(
            self.dsn, autocommit=True, application_name="lastmile-radius-load"
        )
        await self.state.load_all(self._query)
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        for conn in (self._listen, self._query):
            if conn is not None:
                await conn.close()

    async def _run(self) -> None:
        assert self._listen is not None
        last_full = time.monotonic()
        while True:
            batch: list[tuple[str, str, int]] = []
            try:
                async for note in self._listen.notifies(timeout=0.05, stop_after=2000):
                    kind, _, ids = note.payload.partition(":")
                    batch.append((kind, ids, note.pid))
                if batch:
                    await self.apply(batch)
                if time.monotonic() - last_full > FULL_RESYNC_S:
                    assert self._query is not None
                    await self.state.load_pools_and_leases(self._query)
                    await self.state.load_open_sessions(self._query)
                    last_full = time.monotonic()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("listener.failed")
                await asyncio.sleep(1)

    async def reload_customer_sessions(self, customer_id: int) -> None:
        """Re-read one customer's open sessions (see ``AccessHandler``)."""
        assert self._query is not None
        await self.state.reload_customer_sessions(self._query, customer_id)

    async def apply(self, batch: list[tuple[str, str, int]]) -> None:
        conn = self._query
        assert conn is not None
        by_kind: dict[str, set[int] | None] = {}
        for kind, ids, pid in batch:
            if kind == "lease" and pid in self.own_pids:
                continue
            if ids == "*" or by_kind.get(kind, set()) is None:
                by_kind[kind] = None
                continue
            bucket = by_kind.setdefault(kind, set())
            assert bucket is not None
            bucket.update(int(x) for x in ids.split(",") if x)
        if "tariff" in by_kind:
            await self.state.load_tariffs(conn)
        if "nas" in by_kind:
            await self.state.load_nases(conn)
        if "binding" in by_kind:
            await self.state.load_bindings(conn)
        customers: set[int] | None = set()
        for kind in ("customer", "subscription"):
            if kind in by_kind:
                changed = by_kind[kind]
                customers = None if changed is None or customers is None else customers | changed
        if customers is None:
            await self.state.load_customers(conn, None)
        elif customers:
            await self.state.load_customers(conn, sorted(customers))
        if "pool" in by_kind or ("lease" in by_kind and by_kind["lease"] is None):
            await self.state.load_pools_and_leases(conn)
        elif by_kind.get("lease"):
            await self._apply_leases(conn, sorted(by_kind["lease"] or ()))

    async def _apply_leases(self, conn: psycopg.AsyncConnection[Any], ids: list[int]) -> None:
        cur = await conn.execute(
            "SELECT " + LEASE_COLUMNS + ", ended_at IS NOT NULL"  # noqa: S608
            " FROM network_lease WHERE id = ANY(%s)",
            (ids,),
        )
        for row in await cur.fetchall():
            lease = lease_from_row(row[:11])
            if row[11]:
                known = self.state.leases.get(lease.id)
                self.state.end_lease(lease.id)
                if known is None:
                    self.state.release_address(lease.address)
            else:
                self.state.add_lease(lease)
