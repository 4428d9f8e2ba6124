"""Apply access changes to the NAS: the one path from "what the customer may do
changed" to a CoA-Request or Disconnect-Request, with a fallback and a record.

Any app fires ``core.hooks.ACCESS_CHANGED`` inside its transaction; the
receiver here records an ``AccessChange`` per customer and defers one job per
``BATCH_SIZE`` of them in that same transaction, so nothing reaches a NAS for a
change that rolled back and no web request waits for a NAS.  A period boundary
ends thousands of subscriptions at once: in chunks, the first requests leave
while later chunks are still planned, and the worker runs several at a time.

The job works in three steps so that the network part runs in parallel and no
thread touches the database:

1. **plan** (database): for each open session concerned, what the customer's
   access is now (``access_targets``, the rule of ``aaa/policy.py``) and which
   request fits.  A speed change on a paid session is a CoA-Request with the
   vendor's rate attributes; a move of a paid session to the guest profile is
   a CoA where the vendor applies it live (``policy.coa_attributes``), a
   Disconnect otherwise; anything that changes the address or pool (blocked,
   guest → paid, lease ended, binding changed) is a Disconnect-Request, so
   that the re-authentication lands where the policy puts it now.
2. **send** (network, ``radius.coa.send_many``: one thread, non-blocking
   sockets, ``radius_coa_parallel`` requests in flight): a CoA that the NAS
   refuses (NAK), does not answer or cannot be sent is followed by a
   Disconnect (the fallback), all of them in a second round.
3. **record** (database): every request with the NAS's answer as a
   ``NasAttempt``; the change is ``applied`` when every session was dealt with.
   A Disconnect without an answer is retried with backoff by a later job;
   after the last try the change is ``failed`` and stays on the staff list.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from lastmile.aaa import policy
from lastmile.aaa.models import AccessChange, NasAttempt
from lastmile.aaa.policy import Access, AccessTarget
from lastmile.core.hooks import AccessReason
from lastmile.core.jobs import defer_in_transaction
from lastmile.network.models import Lease, Nas, PoolKind, Session
from lastmile.radius import coa, codec
from lastmile.radius.profiles import Rate

log = structlog.get_logger("lastmile.aaa.apply")

#: Seconds to wait before each retry of a change whose Disconnect got no answer.
RETRY_BACKOFF_S = (2, 5, 15, 60, 300)
#: Access changes per ``aaa.apply_access`` job: small enough that the first
#: requests of a boundary's thousands leave within a second and several jobs
#: share the work, large enough that each job's queries stay few.
BATCH_SIZE = 1000
#: Reasons that move the session's address whatever the customer's access is.
_ADDRESS_REASONS = frozenset(
    {
        AccessReason.LEASE_ENDED,
        AccessReason.STATIC_ADDRESS_CHANGED,
        AccessReason.STAFF_DISCONNECT,
        AccessReason.EQUIPMENT_CHANGED,
        AccessReason.BINDING_CHANGED,
    }
)
#: A NAK that means the session is not there any more: nothing is left to do.
_GONE = "Session-Context-Not-Found"


@dataclass(slots=True)
class _Job:
    """One session to deal with, and what has been sent for it."""

    change: AccessChange
    session: Session
    kind: str  # NasAttempt.Kind
    attrs: bytes = b""
    results: list[NasAttempt] = field(default_factory=list)

    @property
    def is_done(self) -> bool:
        last = self.results[-1] if self.results else None
        if last is None:
            return False
        return last.result == "ack" or (last.result == "nak" and last.detail == _GONE)


# -- the hook receiver ---------------------------------------------------------------
_INSERT_CHANGES_SQL = """
INSERT INTO aaa_accesschange (customer_id, reason, address, session_pk, requested_at, state,
    tries, summary)
SELECT customer_id, %s, %s::inet, %s, %s, 'pending', 0, '' FROM unnest(%s::bigint[]) AS customer_id
RETURNING customer_id, id
"""


def on_access_changed(
    *,
    customer_id: int | None = None,
    customer_ids: Iterable[int] = (),
    reason: AccessReason | str,
    address: str | None = None,
    session_pk: int | None = None,
) -> list[AccessChange]:
    """Record the change for each customer and defer a job per ``BATCH_SIZE``
    of them (same transaction)."""
    ids = sorted({*customer_ids, *([customer_id] if customer_id is not None else [])})
    if not ids:
        return []
    reason = AccessReason(reason)
    now = timezone.now()
    # One statement over arrays: a boundary records tens of thousands in the
    # transaction that ends their subscriptions, and the NAS waits for its commit.
    with connection.cursor() as cur:
        cur.execute(_INSERT_CHANGES_SQL, [str(reason), address, session_pk, now, ids])
        pks = dict(cur.fetchall())
    changes = [
        AccessChange(
            pk=pks[cid], customer_id=cid, reason=reason, address=address, session_pk=session_pk,
            requested_at=now,
        )
        for cid in ids
    ]  # fmt: skip
    for change in changes:
        change._state.adding = False
    from lastmile.aaa.jobs import apply_access

    ids_in_order = [int(c.pk) for c in changes]
    for start in range(0, len(ids_in_order), BATCH_SIZE):
        defer_in_transaction(apply_access, change_ids=ids_in_order[start : start + BATCH_SIZE])
    log.info("access.change_requested", reason=str(reason), customers=len(ids), address=address)
    return changes


def _any(values: Iterable[object], sql_type: str = "bigint") -> RawSQL:
    """``field__in=_any(ids)``: the values as one array parameter.  A list
    would be a placeholder per value, and the client's parsing of a thousand
    placeholders was most of a job's CPU (the worker's jobs share one GIL)."""
    return RawSQL(f"SELECT unnest(%s::{sql_type}[])", [list(values)])  # noqa: S611 (a type name of ours)


# -- the policy, as the database sees it ------------------------------------------------
def access_targets(
    customer_ids: Sequence[int], at: datetime | None = None
) -> dict[int, AccessTarget]:
    """What each customer may do now: the state read for the batch, the rule
    and the speed from ``aaa/policy.py`` (as the RADIUS decision)."""
    from lastmile.customers.models import Customer
    from lastmile.subscriptions.models import Subscription

    at = at or timezone.now()
    active = set(
        Customer.objects.filter(pk__in=_any(customer_ids), is_active=True).values_list(
            "pk", flat=True
        )
    )
    subs = (
        Subscription.objects.filter(customer_id__in=_any(active), state="active", period_end__gt=at)
        .select_related("tariff")
        .order_by("customer_id", "-period_end")
    )
    rates: dict[int, Rate] = {}
    for sub in subs:
        t = sub.tariff
        rates.setdefault(
            sub.customer_id,
            Rate(t.rate_down_kbps, t.rate_up_kbps, t.burst_down_kbps, t.burst_up_kbps),
        )
    counts: dict[int, int] = {}
    if settings.LASTMILE.radius_split_rate and rates:
        for cid in (
            Lease.objects.filter(customer_id__in=_any(rates), ended_at__isnull=True)
            .exclude(pool__kind=PoolKind.GUEST)
            .values_list("customer_id", flat=True)
        ):
            counts[cid] = counts.get(cid, 0) + 1
    config = policy.PolicyConfig.from_settings(settings.LASTMILE)
    return {
        cid: policy.target(
            policy.CustomerAccess(
                cid, cid in active, cid in rates, rates.get(cid), counts.get(cid, 1)
            ),
            config,
        )
        for cid in customer_ids
    }


# -- the job ---------------------------------------------------------------------------
def apply_changes(change_ids: Sequence[int]) -> list[AccessChange]:
    """Plan, send and record the given changes; return those still to retry."""
    changes = list(
        AccessChange.objects.filter(
            pk__in=_any(change_ids), state=AccessChange.State.PENDING
        ).order_by("pk")
    )
    if not changes:
        return []
    started = time.monotonic()
    jobs = _plan(changes)
    planned = time.monotonic()
    _send_all(jobs)
    sent = time.monotonic()
    retry = _record(changes, jobs)
    log.info(
        "access.applied", changes=len(changes), requests=sum(len(j.results) for j in jobs),
        acks=sum(1 for j in jobs for a in j.results if a.result == "ack"),
        retry=len(retry), plan_s=round(planned - started, 3), send_s=round(sent - planned, 3),
        record_s=round(time.monotonic() - sent, 3),
    )  # fmt: skip
    return retry


def _plan(changes: list[AccessChange]) -> list[_Job]:
    targets = access_targets([c.customer_id for c in changes])
    sessions = _open_sessions(changes)
    guest_addresses = _guest_addresses(s.address for s in sessions if s.address)
    done = _already_done(changes, sessions)
    by_customer: dict[int, list[Session]] = {}
    for session in sessions:
        by_customer.setdefault(session.customer_id or 0, []).append(session)
    jobs = []
    for change in changes:
        target = targets[change.customer_id]
        for session in by_customer.get(change.customer_id, ()):
            if not _concerns(change, session) or (change.pk, session.pk) in done:
                continue
            on_guest = session.address in guest_addresses or _moved_to_guest(session)
            planned = _request_for(change, target, on_guest, session.nas.vendor)
            if planned is not None:
                jobs.append(_Job(change, session, *planned))
    return jobs


def _request_for(
    change: AccessChange, target: AccessTarget, on_guest: bool, vendor: str
) -> tuple[str, bytes] | None:
    """(request kind, CoA attributes), or None, for one session of the customer."""
    disconnect = (NasAttempt.Kind.DISCONNECT, b"")
    if change.reason in _ADDRESS_REASONS or target.access == Access.NONE:
        return disconnect
    if on_guest:
        # Already where a guest belongs; a paid customer needs a normal address.
        return None if target.access == Access.GUEST else disconnect
    attrs = policy.coa_attributes(target, vendor)
    if attrs is None:  # the vendor cannot apply the guest profile live
        return disconnect
    kind = NasAttempt.Kind.COA if target.access == Access.PAID else NasAttempt.Kind.GUEST_COA
    return kind, attrs


def _moved_to_guest(session: Session) -> bool:
    """A CoA put the running session in the guest profile (its address is
    still a normal one): only a Disconnect brings it back to paid access."""
    return session.coa_kind == NasAttempt.Kind.GUEST_COA and session.coa_result == "ack"


_SESSION_FIELDS = (
    "id",
    "customer_id",
    "nas_id",
    "address",
    "acct_session_id",
    "login",
    "coa_kind",
    "coa_result",
)


def _open_sessions(changes: list[AccessChange]) -> list[Session]:
    customer_ids = {c.customer_id for c in changes}
    # Only the fields a job reads, and each NAS once (not a copy per session):
    # building a thousand full rows was a large part of a job's CPU.
    sessions = list(
        Session.objects.filter(customer_id__in=_any(customer_ids), stopped_at__isnull=True)
        .only(*_SESSION_FIELDS)
        .order_by("pk")
    )
    nases = Nas.objects.in_bulk({s.nas_id for s in sessions})
    for session in sessions:
        session.nas = nases[session.nas_id]
    return sessions


def _concerns(change: AccessChange, session: Session) -> bool:
    if session.customer_id != change.customer_id:
        return False
    if change.session_pk is not None and session.pk != change.session_pk:
        return False
    return change.address is None or session.address == change.address


def _guest_addresses(addresses: Iterable[str]) -> set[str]:
    wanted = set(addresses)
    if not wanted:
        return set()
    return set(
        Lease.objects.filter(
            address__in=_any(wanted, "inet"), ended_at__isnull=True, pool__kind=PoolKind.GUEST
        ).values_list("address", flat=True)
    )


def _already_done(changes: list[AccessChange], sessions: list[Session]) -> set[tuple[int, int]]:
    """(change, session) pairs an earlier try of the same change settled (a
    change never tried has no attempts: a try records all of its own or none)."""
    tried = [c for c in changes if c.tries]
    if not tried:
        return set()
    settled = NasAttempt.objects.filter(change_id__in=_any(c.pk for c in tried)).filter(
        Q(result="ack") | Q(result="nak", detail=_GONE)
    )
    by_session = {(s.nas_id, s.acct_session_id): s.pk for s in sessions}
    return {
        (a.change_id, by_session[(a.nas_id, a.acct_session_id)])
        for a in settled
        if (a.nas_id, a.acct_session_id) in by_session
    }


def _send_all(jobs: list[_Job]) -> None:
    """Network only (no database): every request, then the fallbacks in a second round."""
    _send_round([(job, job.kind, job.attrs, False) for job in jobs])
    _send_round(
        [
            (job, NasAttempt.Kind.DISCONNECT, b"", True)
            for job in jobs
            if job.kind != NasAttempt.Kind.DISCONNECT and not job.is_done
        ]
    )


def _send_round(batch: list[tuple[_Job, str, bytes, bool]]) -> None:
    if not batch:
        return
    conf = settings.LASTMILE
    secrets: dict[int, bytes | ValueError] = {}
    requests: list[coa.CoaRequest] = []
    sendable: list[tuple[_Job, str, bool]] = []
    for job, kind, extra, fallback in batch:
        session, nas = job.session, job.session.nas
        if nas.pk not in secrets:
            try:
                secrets[nas.pk] = nas.get_secret().encode()
            except ValueError as exc:  # the secret cannot be decrypted
                secrets[nas.pk] = exc
        secret = secrets[nas.pk]
        try:
            if isinstance(secret, ValueError):
                raise secret
            identity = coa.session_identity(
                acct_session_id=session.acct_session_id, login=session.login,
                address=session.address,
            )  # fmt: skip
        except ValueError as exc:  # … or an attribute is too long
            job.results.append(_attempt(job, kind, fallback, coa.CoaOutcome("error", str(exc))))
            continue
        code = codec.DISCONNECT_REQUEST if kind == NasAttempt.Kind.DISCONNECT else codec.COA_REQUEST
        requests.append(coa.CoaRequest(nas.address, nas.coa_port, secret, code, identity + extra))
        sendable.append((job, kind, fallback))
    outcomes = coa.send_many(
        requests, timeout_s=conf.radius_coa_timeout_s, attempts=conf.radius_coa_retries,
        parallel=conf.radius_coa_parallel,
    )  # fmt: skip
    for (job, kind, fallback), outcome in zip(sendable, outcomes, strict=True):
        job.results.append(_attempt(job, kind, fallback, outcome))


def _attempt(job: _Job, kind: str, fallback: bool, outcome: coa.CoaOutcome) -> NasAttempt:
    session = job.session
    sent_at = datetime.fromtimestamp(outcome.sent_at, UTC) if outcome.sent_at else timezone.now()
    return NasAttempt(
        change=job.change,
        customer_id=job.change.customer_id,
        nas=session.nas,
        acct_session_id=session.acct_session_id,
        address=session.address,
        kind=kind,
        is_fallback=fallback,
        result=outcome.result,
        detail=outcome.detail[:255],
        sent_at=sent_at,
        duration_ms=int(outcome.elapsed_s * 1000),
    )


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
