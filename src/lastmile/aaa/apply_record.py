"""Step 3 of applying access changes (see ``aaa.apply``): record every request with
the NAS's answer, settle or schedule the retry of each change, and mirror the
last request on the session rows."""

from __future__ import annotations

from datetime import datetime

import structlog
from django.db import connection, transaction
from django.utils import timezone

from lastmile.aaa.apply_plan import _Job
from lastmile.aaa.models import AccessChange, NasAttempt

log = structlog.get_logger("lastmile.aaa.apply")

#: Seconds to wait before each retry of a change whose Disconnect got no answer.
RETRY_BACKOFF_S = (2, 5, 15, 60, 300)


_CHANGES_SQL = """
UPDATE aaa_accesschange c SET tries = v.tries, state = v.state, finished_at = v.finished_at,
    summary = v.summary
FROM unnest(%s::bigint[], %s::smallint[], %s::text[], %s::timestamptz[], %s::text[])
    AS v(id, tries, state, finished_at, summary)
WHERE c.id = v.id
"""
_LOCK_SESSIONS_SQL = "SELECT 1 FROM network_session WHERE id = ANY(%s) ORDER BY id FOR UPDATE"
_SESSIONS_SQL = """
UPDATE network_session s SET coa_kind = v.kind, coa_result = v.result, coa_detail = v.detail,
    coa_at = %s
FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS v(id, kind, result, detail)
WHERE s.id = v.id
"""


def _record(changes: list[AccessChange], jobs: list[_Job]) -> list[AccessChange]:
    """One short transaction of set-based statements (no per-row CASE, no
    quadratic grouping): the session rows it locks are the ones RADIUS
    accounting writes too, and Interim-Updates must not wait for it."""
    now = timezone.now()
    attempts = [attempt for job in jobs for attempt in job.results]
    by_change: dict[int, list[_Job]] = {}
    for job in jobs:
        by_change.setdefault(job.change.pk, []).append(job)
    retry: list[AccessChange] = []
    for change in changes:
        change.tries += 1
        mine = by_change.get(change.pk, [])
        unresolved = sum(1 for job in mine if not job.is_done)
        if not unresolved:
            change.state, change.finished_at = AccessChange.State.APPLIED, now
        elif change.tries > len(RETRY_BACKOFF_S):
            change.state, change.finished_at = AccessChange.State.FAILED, now
        else:
            retry.append(change)
        change.summary = _summary(change, mine, unresolved)[:255]
    with transaction.atomic():
        _insert_attempts(attempts)
        _mirror_on_sessions(jobs, now)
        with connection.cursor() as cur:
            cur.execute(
                _CHANGES_SQL,
                [
                    [c.pk for c in changes],
                    [c.tries for c in changes],
                    [str(c.state) for c in changes],
                    [c.finished_at for c in changes],
                    [c.summary for c in changes],
                ],
            )
    # Every attempt is a NasAttempt row; the log names the ones that went wrong
    # (a boundary's 25,000 ACKs would be 25,000 lines written in the job).
    for job in jobs:
        for attempt in job.results:
            if attempt.result == "ack":
                continue
            log.info(
                "coa.sent", kind=attempt.kind, nas=job.session.nas.address,
                session_id=attempt.acct_session_id, customer_id=attempt.customer_id,
                result=attempt.result, detail=attempt.detail, fallback=attempt.is_fallback,
            )  # fmt: skip
    return retry


_ATTEMPTS_SQL = """
INSERT INTO aaa_nasattempt (change_id, customer_id, nas_id, acct_session_id, address, kind,
    is_fallback, result, detail, sent_at, duration_ms)
SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::text[], %s::inet[], %s::text[],
    %s::boolean[], %s::text[], %s::text[], %s::timestamptz[], %s::integer[])
"""


def _insert_attempts(attempts: list[NasAttempt]) -> None:
    """Every attempt in one statement over arrays (not a model instance's
    field preparation per row: a boundary records tens of thousands)."""
    if not attempts:
        return
    with connection.cursor() as cur:
        cur.execute(
            _ATTEMPTS_SQL,
            [
                [a.change_id for a in attempts],
                [a.customer_id for a in attempts],
                [a.nas_id for a in attempts],
                [a.acct_session_id for a in attempts],
                [a.address or None for a in attempts],
                [str(a.kind) for a in attempts],
                [a.is_fallback for a in attempts],
                [str(a.result) for a in attempts],
                [a.detail for a in attempts],
                [a.sent_at for a in attempts],
                [a.duration_ms for a in attempts],
            ],
        )


def _mirror_on_sessions(jobs: list[_Job], now: datetime) -> None:
    """The session row keeps the last request and answer (the session list shows it).
    Rows are locked in id order, as the RADIUS writer's batches lock them."""
    last: dict[int, NasAttempt] = {}
    for job in jobs:
        attempt = job.results[-1]
        session = job.session
        session.coa_kind, session.coa_result, session.coa_detail = (
            attempt.kind,
            attempt.result,
            attempt.detail,
        )
        session.coa_at = now
        last[int(session.pk)] = attempt
    if not last:
        return
    ids = sorted(last)
    with connection.cursor() as cur:
        cur.execute(_LOCK_SESSIONS_SQL, [ids])
        cur.execute(
            _SESSIONS_SQL,
            [
                now,
                ids,
                [str(last[i].kind) for i in ids],
                [str(last[i].result) for i in ids],
                [last[i].detail for i in ids],
            ],
        )


def _summary(change: AccessChange, mine: list[_Job], unresolved: int) -> str:
    """What the staff list shows for the change; ``mine`` are its sessions' jobs."""
    if not mine:
        return "no open session needed a change" if change.tries == 1 else change.summary
    parts = [f"{j.session.acct_session_id}: " + " → ".join(
        f"{a.kind} {a.result}{' ' + a.detail if a.detail else ''}" for a in j.results
    ) for j in mine[:5]]  # fmt: skip
    text = "; ".join(parts)
    if unresolved:
        text = f"{unresolved} not confirmed; " + text
    return text
