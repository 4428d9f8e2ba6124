"""The writer's SQL: one set-based statement (or two) per kind of op for a
whole batch, rows in key order so that two nodes' batches never deadlock."""

from __future__ import annotations

from typing import Any

import psycopg

from lastmile.aaa import pgarray
from lastmile.aaa.ops import (
    AcctRecord,
    Allocation,
    AllocResult,
    ClosedSession,
    EquipmentChange,
    LeaseExpiry,
    NasReset,
    Renewal,
)
from lastmile.aaa.state import LEASE_COLUMNS, LeaseInfo, lease_from_row


async def allocate(
    cur: psycopg.AsyncCursor[Any], allocs: list[tuple[int, Allocation]]
) -> list[tuple[int, AllocResult]]:
    # Address order keeps two nodes' batches from deadlocking on each other.
    allocs = sorted(allocs, key=lambda item: item[1].address)
    ops = [op for _, op in allocs]
    await cur.execute(
        "INSERT INTO network_lease (address, pool_id, customer_id, kind, mac, remote_id,"  # noqa: S608
        " circuit_id, nas_id, expires_at, started_at, renewed_at, end_reason, prefix_length)"
        " SELECT v.a::inet, v.p, v.c, 'dynamic', v.m, v.r, v.ci, v.n, v.e, now(), now(), '',"
        " nullif(v.pl, 0)"
        " FROM unnest(%s::text[], %s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[],"
        " %s::bigint[], %s::timestamptz[], %s::int[]) AS v(a, p, c, m, r, ci, n, e, pl)"
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
            pgarray.ints(op.prefix_length for op in ops),
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


async def renew(cur: psycopg.AsyncCursor[Any], renewals: list[Renewal]) -> None:
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
        a.is_start or b.is_start,
        a.ipv6_prefix or b.ipv6_prefix,
        a.delegated_prefix or b.delegated_prefix,
    )


async def account(cur: psycopg.AsyncCursor[Any], records: list[AcctRecord]) -> None:
    merged: dict[tuple[int, str], AcctRecord] = {}
    for rec in records:
        key = (rec.nas_id, rec.session_id)
        merged[key] = _merge(merged[key], rec) if key in merged else rec
    rows = sorted(merged.values(), key=lambda r: (r.nas_id, r.session_id))
    # The upsert's own guard (below) keeps out a row of another customer and a
    # Start that finds its (NAS, Acct-Session-Id) on an older, stopped session,
    # so the usual batch is one statement.  When the guard kept a row out, the
    # older session is moved aside and the batch applied again (the upsert is
    # idempotent: every column merges by COALESCE or GREATEST).  The guard
    # knows a Start by its zero session time and no stop; a Start merged in
    # this batch with a later packet of its session no longer looks like one,
    # so only such rows are checked first.
    merged_starts = [r for r in rows if r.is_start and (r.session_time_s or r.stopped_at)]
    if merged_starts:
        await _retire_reused_ids(cur, merged_starts)
    params = _session_params(rows)
    await cur.execute(UPSERT_SESSIONS, params)
    if cur.rowcount < len(rows):
        await _retire_reused_ids(cur, rows)
        await cur.execute(UPSERT_SESSIONS, params)


UPSERT_SESSIONS = (
    "INSERT INTO network_session AS s (nas_id, acct_session_id, customer_id, login, address,"
    " mac, nas_port, started_at, updated_at, stopped_at, session_time_s, octets_in,"
    " octets_out, terminate_cause, interim_interval_s, coa_kind, coa_result, coa_detail,"
    " ipv6_prefix, delegated_prefix)"
    " SELECT v.n, v.sid, v.c, v.l, v.a::inet, v.m, v.p, to_timestamp(v.st), to_timestamp(v.up),"
    " to_timestamp(v.sp), v.t, v.oi, v.oo, v.tc, v.ii, '', '', '', v.f6, v.d6"
    " FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::text[], %s::text[], %s::text[],"
    " %s::text[], %s::float8[], %s::float8[], %s::float8[], %s::bigint[],"
    " %s::bigint[], %s::bigint[], %s::text[], %s::int[], %s::text[], %s::text[])"
    " AS v(n, sid, c, l, a, m, p, st, up, sp, t, oi, oo, tc, ii, f6, d6)"
    # started_at stays as first recorded, and no indexed column changes on an
    # interim update, so PostgreSQL updates the row in place (HOT).
    " ON CONFLICT (nas_id, acct_session_id) DO UPDATE SET"
    " customer_id = COALESCE(s.customer_id, EXCLUDED.customer_id),"
    " address = COALESCE(s.address, EXCLUDED.address),"
    " ipv6_prefix = CASE WHEN s.ipv6_prefix = '' THEN EXCLUDED.ipv6_prefix"
    "   ELSE s.ipv6_prefix END,"
    " delegated_prefix = CASE WHEN s.delegated_prefix = '' THEN EXCLUDED.delegated_prefix"
    "   ELSE s.delegated_prefix END,"
    " updated_at = GREATEST(s.updated_at, EXCLUDED.updated_at),"
    # A session closed as stale comes back to life when the NAS still reports it.
    " stopped_at = CASE WHEN s.terminate_cause = 'Stale' AND EXCLUDED.stopped_at IS NULL"
    "   THEN NULL ELSE COALESCE(s.stopped_at, EXCLUDED.stopped_at) END,"
    " terminate_cause = CASE WHEN s.terminate_cause = 'Stale' THEN EXCLUDED.terminate_cause"
    "   WHEN s.terminate_cause = '' THEN EXCLUDED.terminate_cause"
    "   ELSE s.terminate_cause END,"
    " session_time_s = GREATEST(s.session_time_s, EXCLUDED.session_time_s),"
    " octets_in = GREATEST(s.octets_in, EXCLUDED.octets_in),"
    " octets_out = GREATEST(s.octets_out, EXCLUDED.octets_out)"
    # Never another customer's session, and never a new session's Start on
    # an older stopped one (the complement of _retire_reused_ids, a Start
    # known by its zero session time and no stop).
    " WHERE (s.customer_id IS NULL OR EXCLUDED.customer_id IS NULL"
    " OR s.customer_id = EXCLUDED.customer_id)"
    " AND NOT (EXCLUDED.session_time_s = 0 AND EXCLUDED.stopped_at IS NULL"
    " AND s.stopped_at IS NOT NULL"
    " AND EXCLUDED.started_at > s.started_at + interval '1 second')"
)


def _session_params(rows: list[AcctRecord]) -> tuple[str, ...]:
    return (
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
        pgarray.texts(r.ipv6_prefix for r in rows),
        pgarray.texts(r.delegated_prefix for r in rows),
    )


async def _retire_reused_ids(cur: psycopg.AsyncCursor[Any], rows: list[AcctRecord]) -> None:
    """Move an old session out of the way of a new one that reuses its
    (NAS, Acct-Session-Id): a NAS that rebooted starts its counter again.

    It is another session when the packet's customer is known and differs
    from the row's, or when a Start comes for a row already stopped and
    started more than a second earlier (a retransmitted Start has the same
    start time).  The old row keeps its data under the id suffixed with
    ``~<row id>`` and is closed if it was open, so the new packet makes a
    row of its own and never lands on the old session's customer.  Rare,
    so the statement usually changes nothing."""
    await cur.execute(
        "UPDATE network_session s SET"
        " acct_session_id = left(s.acct_session_id, 100) || '~' || s.id::text,"
        " terminate_cause = CASE WHEN s.stopped_at IS NULL THEN 'Superseded'"
        "   ELSE s.terminate_cause END,"
        " stopped_at = COALESCE(s.stopped_at, s.updated_at)"
        " FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::bool[], %s::float8[])"
        " AS v(n, sid, c, start, st)"
        " WHERE s.nas_id = v.n AND s.acct_session_id = v.sid AND ("
        "  (v.c IS NOT NULL AND s.customer_id IS NOT NULL AND s.customer_id <> v.c)"
        "  OR (v.start AND s.stopped_at IS NOT NULL"
        "      AND to_timestamp(v.st) > s.started_at + interval '1 second'))",
        (
            pgarray.ints(r.nas_id for r in rows),
            pgarray.texts(r.session_id for r in rows),
            pgarray.ints(r.customer_id for r in rows),
            pgarray.bools(r.is_start for r in rows),
            pgarray.floats(r.started_at for r in rows),
        ),
    )


async def apply_lease_expiries(
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


async def reset_nases(
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
        " network_session.customer_id, network_session.acct_session_id",
        (pgarray.ints(op.nas_id for op in ops), [op.at for op in ops]),
    )
    closed: dict[int, list[ClosedSession]] = {}
    for nas_id, address, customer_id, session_id in await cur.fetchall():
        closed.setdefault(nas_id, []).append(ClosedSession(address, customer_id, session_id))
    # Two resets of one NAS in a batch: the first reports what both closed.
    return [(i, closed.pop(op.nas_id, [])) for i, op in resets]


async def request_disconnects(
    cur: psycopg.AsyncCursor[Any], changes: list[EquipmentChange]
) -> None:
    """What ``aaa.apply.on_access_changed`` does for one session, in SQL: a
    pending ``AccessChange`` (reason ``equipment_changed``, this session only)
    and one ``aaa.apply_access`` job for them, through procrastinate's own
    defer function, in the writer's transaction.  A session that already has
    such a change pending gets no second one."""
    await cur.execute(
        "WITH added AS ("
        " INSERT INTO aaa_accesschange (customer_id, reason, address, session_pk, requested_at,"
        " state, tries, summary)"
        " SELECT DISTINCT ON (s.id) s.customer_id, 'equipment_changed', s.address, s.id, now(),"
        " 'pending', 0, left(v.d, 255)"
        " FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(n, sid, d)"
        " JOIN network_session s ON s.nas_id = v.n AND s.acct_session_id = v.sid"
        " WHERE s.customer_id IS NOT NULL AND s.stopped_at IS NULL AND NOT EXISTS ("
        "  SELECT 1 FROM aaa_accesschange c WHERE c.session_pk = s.id"
        "  AND c.reason = 'equipment_changed' AND c.state = 'pending')"
        " ORDER BY s.id RETURNING id)"
        " SELECT procrastinate_defer_jobs_v1(ARRAY[ROW('network', 'aaa.apply_access', 0, NULL,"
        " NULL, jsonb_build_object('change_ids', jsonb_agg(id ORDER BY id)),"
        " NULL)::procrastinate_job_to_defer_v1]) FROM added HAVING count(*) > 0",
        (
            pgarray.ints(c.nas_id for c in changes),
            pgarray.texts(c.session_id for c in changes),
            pgarray.texts(c.detail for c in changes),
        ),
    )
