"""Group commit: lease and accounting writes from many requests go to
PostgreSQL in one transaction, and every request's reply waits for that
commit (durable at reply time, a few milliseconds of batching)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
import structlog

from lastmile.aaa import pgarray
from lastmile.aaa.state import LEASE_COLUMNS, LeaseInfo, lease_from_row

log = structlog.get_logger("lastmile.aaa.writer")

MAX_BATCH = 1000
LEASE_FLUSH_S = 0.5


@dataclass(slots=True)
class Allocation:
    customer_id: int
    pool_id: int
    address: str
    mac: str
    remote_id: str
    circuit_id: str
    nas_id: int
    expires_at: datetime | None


@dataclass(slots=True)
class Renewal:
    lease_id: int
    expires_at: datetime | None
    mac: str
    remote_id: str
    circuit_id: str
    nas_id: int
    at: float  # the node's clock; a later lease release from accounting is checked against it


@dataclass(slots=True)
class AcctRecord:
    """One Accounting-Request's session row change.  Times are Unix epoch
    seconds (converted in SQL, cheaper than building datetimes per packet)."""

    nas_id: int
    session_id: str
    customer_id: int | None
    login: str
    address: str | None
    mac: str
    nas_port: str
    started_at: float
    updated_at: float
    stopped_at: float | None
    session_time_s: int
    octets_in: int
    octets_out: int
    terminate_cause: str
    interim_interval_s: int


@dataclass(slots=True)
class LeaseExpiry:
    """An accounting packet's change to its dynamic lease (see
    ``AccountingHandler._lease_expiry_change``): extend it (a running session) or,
    after Stop, shorten it to the hold time.  ``at`` is the packet's event time."""

    lease_id: int
    expires_at: float
    stop: bool
    at: float


@dataclass(slots=True)
class NasReset:
    """Accounting-On/Off: the NAS rebooted (or stops accounting), none of its
    sessions that started before ``at`` survive.  The result is the list of
    sessions it closed, as ``ClosedSession``."""

    nas_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class ClosedSession:
    address: str | None
    customer_id: int | None


Op = Allocation | Renewal | AcctRecord | NasReset


def utc(epoch: float) -> datetime:
    """An epoch time as the aware datetime the writer's ops carry."""
    return datetime.fromtimestamp(epoch, UTC)


# Allocation results: ("ok", lease) | ("exists", lease) | ("taken", None)
AllocResult = tuple[str, LeaseInfo | None]


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
            await _apply_lease_expiries(conn, [changes[i] for i in sorted(changes)])
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
        async with conn.transaction(), conn.cursor() as cur:
            if allocs:
                for i, result in await _allocate(cur, allocs):
                    results[i] = result
            if renewals:
                await _renew(cur, renewals)
            if resets:
                for i, closed in await _reset_nases(cur, resets):
                    results[i] = closed
            if records:
                await _account(cur, records)
        return results


async def _allocate(
    cur: psycopg.AsyncCursor[Any], allocs: list[tuple[int, Allocation]]
) -> list[tuple[int, AllocResult]]:
    # Address order keeps two nodes' batches from deadlocking on each other.
    allocs = sorted(allocs, key=lambda item: item[1].address)
    ops = [op for _, op in allocs]
    await cur.execute(
        "INSERT INTO network_lease (address, pool_id, customer_id, kind, mac, remote_id,"  # noqa: S608
        " circuit_id, nas_id, expires_at, started_at, renewed_at, end_reason)"
        " SELECT v.a::inet, v.p, v.c, 'dynamic', v.m, v.r, v.ci, v.n, v.e, now(), now(), ''"
        " FROM unnest(%s::text[], %s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[],"
        " %s::bigint[], %s::timestamptz[]) AS v(a, p, c, m, r, ci, n, e)"
        " ON CONFLICT DO NOTHING RETURNING " + LEASE_COLUMNS,
        (
            pgarray.texts(op.address for op in ops),
            pgarray.ints(op.pool_id for op in ops),
            pgarray.ints(op.customer_id for op in ops),
            pgarray.texts(op.mac for op in ops),
            pgarray.texts(op.remote_id for op in ops),
            pgarray.texts(op.circuit_id for op in ops),
            pgarray.ints(op.nas_id for op in ops),
            [op.expires_at for op in ops],
        ),
    )
    inserted = {
        (lease.customer_id, lease.pool_id): lease
        for lease in map(lease_from_row, await cur.fetchall())
    }
    missing = [op for op in ops if (op.customer_id, op.pool_id) not in inserted]
    existing: dict[tuple[int, int], LeaseInfo] = {}
    if missing:
        await cur.execute(
            "SELECT " + LEASE_COLUMNS + " FROM network_lease WHERE ended_at IS NULL"  # noqa: S608
            " AND kind = 'dynamic' AND (customer_id, pool_id) IN"
            " (SELECT * FROM unnest(%s::bigint[], %s::bigint[]))",
            (
                pgarray.ints(op.customer_id for op in missing),
                pgarray.ints(op.pool_id for op in missing),
            ),
        )
        existing = {
            (x.customer_id, x.pool_id): x for x in map(lease_from_row, await cur.fetchall())
        }
    out: list[tuple[int, AllocResult]] = []
    for index, op in allocs:
        key = (op.customer_id, op.pool_id)
        lease = inserted.get(key)
        if lease is not None and lease.address_text == op.address:
            out.append((index, ("ok", lease)))
        elif key in existing:
            out.append((index, ("exists", existing[key])))
        elif lease is not None:  # a twin request in the same batch won
            out.append((index, ("exists", lease)))
        else:
            out.append((index, ("taken", None)))
    return out


async def _renew(cur: psycopg.AsyncCursor[Any], renewals: list[Renewal]) -> None:
    unique = sorted({op.lease_id: op for op in renewals}.values(), key=lambda op: op.lease_id)
    await cur.execute(
        "UPDATE network_lease l SET renewed_at = to_timestamp(v.at), expires_at = v.e,"
        " mac = CASE WHEN l.mac = '' THEN v.m ELSE l.mac END,"
        " remote_id = CASE WHEN l.remote_id = '' THEN v.r ELSE l.remote_id END,"
        " circuit_id = CASE WHEN l.circuit_id = '' THEN v.ci ELSE l.circuit_id END,"
        " nas_id = v.n"
        " FROM unnest(%s::bigint[], %s::timestamptz[], %s::text[], %s::text[], %s::text[],"
        " %s::bigint[], %s::float8[]) AS v(i, e, m, r, ci, n, at)"
        " WHERE l.id = v.i AND l.ended_at IS NULL",
        (
            pgarray.ints(op.lease_id for op in unique),
            [op.expires_at for op in unique],
            pgarray.texts(op.mac for op in unique),
            pgarray.texts(op.remote_id for op in unique),
            pgarray.texts(op.circuit_id for op in unique),
            pgarray.ints(op.nas_id for op in unique),
            pgarray.floats(op.at for op in unique),
        ),
    )


def _merge(a: AcctRecord, b: AcctRecord) -> AcctRecord:
    """Two packets of one session in one batch become one row change."""
    return AcctRecord(
        a.nas_id,
        a.session_id,
        a.customer_id or b.customer_id,
        a.login or b.login,
        a.address or b.address,
        a.mac or b.mac,
        a.nas_port or b.nas_port,
        min(a.started_at, b.started_at),
        max(a.updated_at, b.updated_at),
        a.stopped_at or b.stopped_at,
        max(a.session_time_s, b.session_time_s),
        max(a.octets_in, b.octets_in),
        max(a.octets_out, b.octets_out),
        a.terminate_cause or b.terminate_cause,
        a.interim_interval_s,
    )


async def _account(cur: psycopg.AsyncCursor[Any], records: list[AcctRecord]) -> None:
    merged: dict[tuple[int, str], AcctRecord] = {}
    for rec in records:
        key = (rec.nas_id, rec.session_id)
        merged[key] = _merge(merged[key], rec) if key in merged else rec
    rows = sorted(merged.values(), key=lambda r: (r.nas_id, r.session_id))
    await cur.execute(
        "INSERT INTO network_session AS s (nas_id, acct_session_id, customer_id, login, address,"
        " mac, nas_port, started_at, updated_at, stopped_at, session_time_s, octets_in,"
        " octets_out, terminate_cause, interim_interval_s, coa_kind, coa_result, coa_detail)"
        " SELECT v.n, v.sid, v.c, v.l, v.a::inet, v.m, v.p, to_timestamp(v.st), to_timestamp(v.up),"
        " to_timestamp(v.sp), v.t, v.oi, v.oo, v.tc, v.ii, '', '', ''"
        " FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::text[], %s::text[], %s::text[],"
        " %s::text[], %s::float8[], %s::float8[], %s::float8[], %s::bigint[],"
        " %s::bigint[], %s::bigint[], %s::text[], %s::int[])"
        " AS v(n, sid, c, l, a, m, p, st, up, sp, t, oi, oo, tc, ii)"
        # started_at stays as first recorded, and no indexed column changes on an
        # interim update, so PostgreSQL updates the row in place (HOT).
        " ON CONFLICT (nas_id, acct_session_id) DO UPDATE SET"
        " customer_id = COALESCE(s.customer_id, EXCLUDED.customer_id),"
        " address = COALESCE(s.address, EXCLUDED.address),"
        " updated_at = GREATEST(s.updated_at, EXCLUDED.updated_at),"
        # A session closed as stale comes back to life when the NAS still reports it.
        " stopped_at = CASE WHEN s.terminate_cause = 'Stale' AND EXCLUDED.stopped_at IS NULL"
        "   THEN NULL ELSE COALESCE(s.stopped_at, EXCLUDED.stopped_at) END,"
        " terminate_cause = CASE WHEN s.terminate_cause = 'Stale' THEN EXCLUDED.terminate_cause"
        "   WHEN s.terminate_cause = '' THEN EXCLUDED.terminate_cause"
        "   ELSE s.terminate_cause END,"
        " session_time_s = GREATEST(s.session_time_s, EXCLUDED.session_time_s),"
        " octets_in = GREATEST(s.octets_in, EXCLUDED.octets_in),"
        " octets_out = GREATEST(s.octets_out, EXCLUDED.octets_out)",
        (
            pgarray.ints(r.nas_id for r in rows),
            pgarray.texts(r.session_id for r in rows),
            pgarray.ints(r.customer_id for r in rows),
            pgarray.texts(r.login for r in rows),
            pgarray.texts(r.address for r in rows),
            pgarray.texts(r.mac for r in rows),
            pgarray.texts(r.nas_port for r in rows),
            pgarray.floats(r.started_at for r in rows),
            pgarray.floats(r.updated_at for r in rows),
            pgarray.floats(r.stopped_at for r in rows),
            pgarray.ints(r.session_time_s for r in rows),
            pgarray.ints(r.octets_in for r in rows),
            pgarray.ints(r.octets_out for r in rows),
            pgarray.texts(r.terminate_cause for r in rows),
            pgarray.ints(r.interim_interval_s for r in rows),
        ),
    )


async def _apply_lease_expiries(
    conn: psycopg.AsyncConnection[Any], changes: list[LeaseExpiry]
) -> None:
    """One statement (autocommit) for the queued changes, in lease id order.

    A running session only ever lengthens its lease.  A Stop shortens it,
    unless the lease was renewed after the Stop's event time: the subscriber
    came back (a re-auth after a delayed or reordered Stop), and the lease is
    in use again."""
    await conn.execute(
        "UPDATE network_lease l SET expires_at = CASE WHEN v.stop"
        " THEN LEAST(l.expires_at, to_timestamp(v.e)) ELSE GREATEST(l.expires_at, to_timestamp(v.e))"
        " END"
        " FROM unnest(%s::bigint[], %s::float8[], %s::bool[], %s::float8[]) AS v(i, e, stop, at)"
        " WHERE l.id = v.i AND l.ended_at IS NULL AND l.kind = 'dynamic'"
        " AND (NOT v.stop OR l.renewed_at <= to_timestamp(v.at))",
        (
            pgarray.ints(c.lease_id for c in changes),
            pgarray.floats(c.expires_at for c in changes),
            pgarray.bools(c.stop for c in changes),
            pgarray.floats(c.at for c in changes),
        ),
    )


async def _reset_nases(
    cur: psycopg.AsyncCursor[Any], resets: list[tuple[int, NasReset]]
) -> list[tuple[int, list[ClosedSession]]]:
    """Close the NASes' open sessions that started before the reset: a late
    copy of an Accounting-On leaves the sessions begun since alone, and a
    repeat finds nothing left to close."""
    ops = [op for _, op in resets]
    await cur.execute(
        "UPDATE network_session SET stopped_at = GREATEST(updated_at, v.at),"
        " terminate_cause = 'NAS-Reboot'"
        " FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(n, at)"
        " WHERE network_session.nas_id = v.n AND network_session.stopped_at IS NULL"
        " AND network_session.started_at <= v.at"
        " RETURNING network_session.nas_id, host(network_session.address),"
        " network_session.customer_id",
        (pgarray.ints(op.nas_id for op in ops), [op.at for op in ops]),
    )
    closed: dict[int, list[ClosedSession]] = {}
    for nas_id, address, customer_id in await cur.fetchall():
        closed.setdefault(nas_id, []).append(ClosedSession(address, customer_id))
    # Two resets of one NAS in a batch: the first reports what both closed.
    return [(i, closed.pop(op.nas_id, [])) for i, op in resets]
