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

This module holds the hook receiver and the job's outline; the steps are
``apply_plan``, ``apply_send`` and ``apply_record``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import structlog
from django.db import connection
from django.utils import timezone

from lastmile.aaa.apply_plan import _any, _plan
from lastmile.aaa.apply_record import _record
from lastmile.aaa.apply_send import _send_all
from lastmile.aaa.models import AccessChange
from lastmile.core.hooks import AccessReason
from lastmile.core.jobs import defer_in_transaction

log = structlog.get_logger("lastmile.aaa.apply")

#: Access changes per ``aaa.apply_access`` job: small enough that the first
#: requests of a boundary's thousands leave within a second and several jobs
#: share the work, large enough that each job's queries stay few.
BATCH_SIZE = 1000


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
