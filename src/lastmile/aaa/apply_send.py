"""Step 2 of applying access changes (see ``aaa.apply``): send the planned requests
to the NASes, network only (no database), with the Disconnect fallback."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone

from lastmile.aaa.apply_plan import _Job
from lastmile.aaa.models import NasAttempt
from lastmile.radius import coa, codec


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
