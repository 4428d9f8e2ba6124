"""Group commit: lease and accounting writes from many requests go to
PostgreSQL in one transaction, and every request's reply waits for that
commit (durable at reply time, a few milliseconds of batching)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import psycopg
import structlog

from lastmile.aaa.ops import (
    AcctRecord,
    Allocation,
    EquipmentChange,
    LeaseExpiry,
    NasReset,
    Op,
    Renewal,
)
from lastmile.aaa.statements import (
    account,
    allocate,
    apply_lease_expiries,
    renew,
    request_disconnects,
    reset_nases,
)

log = structlog.get_logger("lastmile.aaa.writer")

MAX_BATCH = 1000
LEASE_FLUSH_S = 0.5


class BatchWriter:
    def __init__(
        self,
        dsn: str,
        *,
        connections: int = 2,
        delay_s: float = 0.002,
        lease_flush_s: float = LEASE_FLUSH_S,
    ) -> None:
        self.dsn = dsn
        self.n_connections = max(1, connections)
        self.delay_s = delay_s
        self.lease_flush_s = lease_flush_s
        self.pids: set[int] = set()
        self._pending: list[tuple[Op, asyncio.Future[Any]]] = []
        self._wakeup = asyncio.Event()
        self._closing = False
        self._tasks: list[asyncio.Task[None]] = []
        self._conns: list[psycopg.AsyncConnection[Any]] = []
        self._expiries: dict[int, LeaseExpiry] = {}
        self._expiry_conn: psycopg.AsyncConnection[Any] | None = None
        self._expiry_task: asyncio.Task[None] | None = None
        self._flush_now = asyncio.Event()

    async def start(self) -> None:
        for index in range(self.n_connections):
            conn = await self._connect()
            self._conns.append(conn)
            self._tasks.append(asyncio.create_task(self._run(index)))
        self._expiry_conn = await self._connect(autocommit=True)
        self._expiry_task = asyncio.create_task(self._flush_expiries_forever())

    async def _connect(self, *, autocommit: bool = False) -> psycopg.AsyncConnection[Any]:
        conn = await psycopg.AsyncConnection.connect(
            self.dsn, autocommit=autocommit, application_name="lastmile-radius-writer"
        )
        self.pids.add(conn.info.backend_pid)
        return conn

    def defer_lease_expiry(self, change: LeaseExpiry) -> None:
        """Queue a lease expiry change from accounting; written within
        ``lease_flush_s`` in one statement, off the reply path.  The later
        decision for a lease replaces an earlier one (decisions are made
        against the cache, which already reflects the earlier one)."""
        self._expiries[change.lease_id] = change

    async def flush_lease_expiries(self) -> int:
        """Write the queued lease expiry changes now; returns how many.  On
        failure they stay queued (a newer change for a lease wins) and the
        connection is replaced on the next flush."""
        if not self._expiries:
            return 0
        changes, self._expiries = self._expiries, {}
        try:
            conn = self._expiry_conn
            if conn is None or conn.broken or conn.closed:
                conn = self._expiry_conn = await self._connect(autocommit=True)
            await apply_lease_expiries(conn, [changes[i] for i in sorted(changes)])
        except BaseException as exc:
            changes.update(self._expiries)
            self._expiries = changes
            if not isinstance(exc, Exception):
                raise
            log.warning("writer.lease_expiry_failed", error=str(exc), size=len(changes))
            return 0
        return len(changes)

    async def _flush_expiries_forever(self) -> None:
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._flush_now.wait(), self.lease_flush_s)
            await self.flush_lease_expiries()

    def submit(self, op: Op) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append((op, future))
        self._wakeup.set()
        return future

    async def close(self) -> None:
        """Commit what is queued (requests, then lease expiry changes), then
        close the connections."""
        self._closing = True
        self._wakeup.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._flush_now.set()
        if self._expiry_task is not None:  # it finishes the flush it is in
            await asyncio.gather(self._expiry_task, return_exceptions=True)
        await self.flush_lease_expiries()
        for conn in [*self._conns, self._expiry_conn]:
            if conn is not None:
                await conn.close()

    async def _run(self, index: int) -> None:
        """One committer per connection slot; the slot's connection is looked up
        on every batch, so a reconnect takes effect at once."""
        while True:
            await self._wakeup.wait()
            if not self._pending:
                if self._closing:
                    return
                self._wakeup.clear()
                continue
            if self.delay_s and len(self._pending) < 32 and not self._closing:
                await asyncio.sleep(self.delay_s)
            batch = self._pending[:MAX_BATCH]
            del self._pending[:MAX_BATCH]
            if not self._pending and not self._closing:
                self._wakeup.clear()
            if batch:
                await self._commit_batch(index, batch)

    async def _commit_batch(self, index: int, batch: list[tuple[Op, asyncio.Future[Any]]]) -> None:
        conn = self._conns[index]
        try:
            if conn.broken or conn.closed:
                conn = await self._reconnect(index)
            results = await self._apply(conn, [op for op, _ in batch])
        except Exception as exc:  # one bad op must not sink the others: retry alone
            log.warning("writer.batch_failed", error=str(exc), size=len(batch))
            try:
                if conn.broken or conn.closed:
                    conn = await self._reconnect(index)
            except Exception as connect_exc:  # database unreachable: fail this batch
                log.error("writer.reconnect_failed", error=str(connect_exc))
                for _, future in batch:
                    if not future.done():
                        future.set_exception(connect_exc)
                return
            for op, future in batch:
                try:
                    result = (await self._apply(conn, [op]))[0]
                except Exception as single_exc:
                    log.error("writer.op_failed", error=str(single_exc), op=type(op).__name__)
                    if not future.done():
                        future.set_exception(single_exc)
                else:
                    if not future.done():
                        future.set_result(result)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def _reconnect(self, index: int) -> psycopg.AsyncConnection[Any]:
        """Replace the connection of one slot (the old one is broken)."""
        old = self._conns[index]
        fresh = await self._connect()
        self._conns[index] = fresh
        log.info("writer.reconnected", slot=index)
        with contextlib.suppress(Exception):
            await old.close()
        return fresh

    async def _apply(self, conn: psycopg.AsyncConnection[Any], ops: list[Op]) -> list[Any]:
        results: list[Any] = [None] * len(ops)
        allocs = [(i, op) for i, op in enumerate(ops) if isinstance(op, Allocation)]
        renewals = [op for op in ops if isinstance(op, Renewal)]
        records = [op for op in ops if isinstance(op, AcctRecord)]
        resets = [(i, op) for i, op in enumerate(ops) if isinstance(op, NasReset)]
        equipment = [op for op in ops if isinstance(op, EquipmentChange)]
        async with conn.transaction(), conn.cursor() as cur:
            if allocs:
                for i, result in await allocate(cur, allocs):
                    results[i] = result
            if renewals:
                await renew(cur, renewals)
            if resets:
                for i, closed in await reset_nases(cur, resets):
                    results[i] = closed
            if records:
                await account(cur, records)
            if equipment:
                await request_disconnects(cur, equipment)
        return results
