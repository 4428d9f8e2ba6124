"""Period boundary benchmark: N subscribers online cross one boundary together.

Half of them can pay for the next period and must stay online untouched (no
CoA, no Disconnect); the other half cannot and must be moved (the NAS is a
MikroTik: a CoA to the guest profile, a Disconnect if refused) within 10 s of the boundary
(design.md section 5).  Everything is real: ``lastmile radius`` brings the
subscribers online (radload auth + Accounting-Start), ``lastmile worker`` runs
the boundary's billing run and the CoA job, and ``bench/coa_peer.py`` answers on
the NAS's Dynamic Authorization port in its own process, recording when each
request arrived.  While the boundary passes, radload sends Interim-Updates at a
fixed rate to the RADIUS server, and their p99 is compared with the same load
just before: the server's other traffic must not suffer.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import REPO

from aaa import (
    LM_ACCT,
    LM_AUTH,
    SECRET,
    LastmileServer,
    _log,
    _postmaster_pid,
    _radload_args,
    load_lastmile,
    measure,
)

PEER_PORT = 37990
LEAD_S = 25  # from scheduling to the boundary: time to start the load
INTERIM_RATE = 1000  # Interim-Updates per second during both load windows
WINDOW_S = 15
OTHER_QUEUES = "billing,notifications,housekeeping,devices,sorm"


@dataclass
class BoundaryResult:
    customers: int
    renewable: int
    renewed: int = 0
    expired: int = 0
    disconnected_renewable: int = 0
    moved: int = 0
    moved_p50_s: float = float("nan")
    moved_max_s: float = float("nan")
    baseline_p99_ms: float = float("nan")
    boundary_p99_ms: float = float("nan")
    boundary_timeouts: int = 0
    notes: list[str] = field(default_factory=list)


def _prepare(n: int, at_sql: str) -> None:
    """Even customers get money for the next period; every period ends at the boundary."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO finance_ledgerentry (account_id, kind, amount, balance_before,"
            " balance_after, reason, actor_label, idempotency_key, created_at)"
            " SELECT customer_id, 'correction', 1000.00, balance, balance + 1000.00,"
            " 'bench: money for the next period', 'bench', 'boundary:' || customer_id, now()"
            " FROM finance_account WHERE customer_id % 2 = 0"
        )
        cur.execute(
            "UPDATE finance_account SET balance = balance + 1000.00 WHERE customer_id % 2 = 0"
        )
        cur.execute(
            f"UPDATE subscriptions_subscription SET period_end = {at_sql} WHERE state = 'active'"
        )
        cur.execute("UPDATE network_nas SET coa_port = %s, vendor = 'mikrotik'", [PEER_PORT])


def _start(args: list[str], log: Path, ready: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
    deadline = time.monotonic() + 120
    while ready.encode() not in log.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{args[1:3]} did not start, see {log}")
        time.sleep(0.1)
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(n: int, res: Path) -> BoundaryResult:
    from django.db import connection
    from django.utils import timezone

    from lastmile.db.runtime import ensure_embedded
    from lastmile.subscriptions.jobs import schedule_boundary_runs

    res.mkdir(parents=True, exist_ok=True)
    url = ensure_embedded().url(connection.settings_dict["NAME"])
    env = {**os.environ, "LASTMILE_DEMO": "1", "LASTMILE_DATABASE_URL": url}
    env["LASTMILE_LOG_LEVEL"] = "WARNING"
    load_lastmile(n, int(n * 1.2))
    result = BoundaryResult(customers=n, renewable=n // 2)
    server = LastmileServer(url, res)
    server.start()
    peer = worker = network_worker = None
    try:
        roots = [server.pid, _postmaster_pid()]
        ips = res / "boundary_ips.json"
        measure("boundary: online (auth)", roots,
                [_radload_args("b_auth", LM_AUTH, n, res, save_ips=ips)], 120 + n * 0.05)  # fmt: skip
        measure("boundary: online (acct start)", roots,
                [_radload_args("b_start", LM_ACCT, n, res, mode="acct-start", ipmap=ips)],
                120 + n * 0.05)  # fmt: skip
        peer_out = res / "coa_peer.jsonl"
        peer = _start(
            [sys.executable, str(REPO / "bench" / "coa_peer.py"), "--port", str(PEER_PORT),
             "--secret", SECRET, "--out", str(peer_out)],
            res / "coa_peer.log", "coa peer ready", env,
        )  # fmt: skip
        # As docs/operator-guide.md sets it up: the NAS jobs in a worker of their
        # own, so that the boundary's billing run and the CoA/Disconnect jobs do
        # not share one process (and its GIL).
        lastmile = str(Path(sys.executable).parent / "lastmile")
        worker = _start(
            [lastmile, "worker", "--queues", OTHER_QUEUES],
            res / "worker.log", "Launching a worker", {**env, "LASTMILE_LOG_LEVEL": "INFO"},
        )  # fmt: skip
        network_worker = _start(
            [lastmile, "worker", "--queues", "network"],
            res / "worker-network.log", "Launching a worker", {**env, "LASTMILE_LOG_LEVEL": "INFO"},
        )  # fmt: skip
        boundary = timezone.now().replace(microsecond=0) + timezone.timedelta(
            seconds=LEAD_S + WINDOW_S
        )
        _prepare(n, f"'{boundary.isoformat()}'::timestamptz")
        assert schedule_boundary_runs(boundary - timezone.timedelta(seconds=30)) == 1
        interim = [
            _radload_args("b_interim", LM_ACCT, INTERIM_RATE * WINDOW_S, res, mode="acct-interim",
                          ipmap=ips, rate=INTERIM_RATE)
        ]  # fmt: skip
        base = measure("boundary: interim before", roots, interim, 120)
        result.baseline_p99_ms = base.worst("p99_ms")
        wait = (boundary - timezone.now()).total_seconds() - 2
        time.sleep(max(0.0, wait))
        during = measure("boundary: interim across", roots, interim, 120)
        result.boundary_p99_ms = during.worst("p99_ms")
        result.boundary_timeouts = during.timeouts
        _wait_settled(n - n // 2, deadline_s=180)
        _stop(peer)
        _collect(result, peer_out, boundary.timestamp())
        _timeline(result, boundary.timestamp(), res / "worker-network.log")
    finally:
        for proc in (worker, network_worker, peer):
            if proc is not None:
                _stop(proc)
        server.stop()
    return result


def _wait_settled(expected: int, deadline_s: float) -> None:
    """Until the boundary's run committed and every access change it caused is settled."""
    from django.db import connection

    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*), count(*) FILTER (WHERE state = 'pending') FROM aaa_accesschange"
            )
            total, pending = cur.fetchone()
        if total >= expected and not pending:
            return
        time.sleep(0.5)
    _log(f"boundary: not settled within {deadline_s:.0f} s")


def _collect(result: BoundaryResult, peer_out: Path, boundary_ts: float) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FILTER (WHERE state = 'active'), count(*) FILTER (WHERE state ="
            " 'expired') FROM subscriptions_subscription"
        )
        result.renewed, result.expired = cur.fetchone()
        cur.execute("SELECT s.acct_session_id, s.customer_id % 2 = 0 FROM network_session s")
        renewable = dict(cur.fetchall())
        cur.execute("SELECT state, count(*) FROM aaa_accesschange GROUP BY state")
        result.notes.append("access changes: " + ", ".join(f"{s} {c}" for s, c in cur.fetchall()))
    seen = [json.loads(line) for line in peer_out.read_text().splitlines()]
    moved = sorted(r["t"] - boundary_ts for r in seen if not renewable.get(r["sid"], False))
    result.disconnected_renewable = sum(1 for r in seen if renewable.get(r["sid"], False))
    result.moved = len(moved)
    if moved:
        result.moved_p50_s = moved[len(moved) // 2]
        result.moved_max_s = moved[-1]
    _log(f"boundary: {result}")


_TIMELINE_SQL = """
SELECT j.id, j.task_name,
    extract(epoch FROM min(e.at) FILTER (WHERE e.type = 'deferred')),
    extract(epoch FROM min(e.at) FILTER (WHERE e.type = 'started')),
    extract(epoch FROM max(e.at) FILTER (WHERE e.type IN ('succeeded', 'failed')))
FROM procrastinate_jobs j JOIN procrastinate_events e ON e.job_id = j.id
WHERE j.task_name IN ('subscriptions.billing_at', 'subscriptions.after_billing_run',
    'aaa.apply_access') AND e.at >= to_timestamp(%s) - interval '60 seconds'
GROUP BY j.id, j.task_name ORDER BY j.id
"""


def _timeline(result: BoundaryResult, boundary_ts: float, worker_log: Path) -> None:
    """Where the time between the boundary and the last move goes: the jobs'
    own events (procrastinate_events) relative to the boundary, and each apply
    job's plan / send / record split from its ``access.applied`` log line."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(_TIMELINE_SQL, [boundary_ts])
        rows = cur.fetchall()
        cur.execute(
            "SELECT id, expired, renewed, extract(epoch FROM started_at),"
            " extract(epoch FROM finished_at) FROM subscriptions_billingrun"
            " WHERE at >= to_timestamp(%s) - interval '60 seconds' ORDER BY id",
            [boundary_ts],
        )
        runs = cur.fetchall()

    def rel(t: object) -> float:
        return round(float(t) - boundary_ts, 2) if t is not None else float("nan")  # type: ignore[arg-type]

    jobs = [(name, rel(d), rel(s), rel(f)) for _id, name, d, s, f in rows]
    lines = [
        f"billing run {pk}: expired {e} renewed {r}, {rel(t0):+.2f}…{rel(t1):+.2f}"
        for pk, e, r, t0, t1 in runs
    ]
    lines += [
        f"{name}: deferred {d:+.2f} started {s:+.2f} finished {f:+.2f}" for name, d, s, f in jobs
    ]
    splits = []
    for line in worker_log.read_text(errors="replace").splitlines():
        if "access.applied" in line:
            fields = dict(
                part.split("=", 1) for part in line.split() if "=" in part and "_s=" in part
            )
            splits.append({k: float(v) for k, v in fields.items() if k.endswith("_s")})
    for key in ("plan_s", "send_s", "record_s"):
        values = [s[key] for s in splits if key in s]
        if values:
            lines.append(f"apply {key}: mean {sum(values) / len(values):.2f} max {max(values):.2f}")
    billing = [j for j in jobs if j[0] == "subscriptions.billing_at"]
    follow = [j for j in jobs if j[0] == "subscriptions.after_billing_run"]
    apply_jobs = [j for j in jobs if j[0] == "aaa.apply_access"]
    if billing and apply_jobs:
        first = min(j[2] for j in apply_jobs)
        result.notes.append(
            f"timeline (s after the boundary): billing run {billing[0][2]:+.1f}…{billing[0][3]:+.1f}"
            + (f", follow-up {follow[0][2]:+.1f}…{follow[0][3]:+.1f}" if follow else "")
            + f", first apply job starts {first:+.1f}, last ends {max(j[3] for j in apply_jobs):+.1f}"
        )
    for line in lines:
        _log(f"boundary timeline: {line}")


def report(result: BoundaryResult) -> str:
    ok_drops = result.disconnected_renewable == 0 and result.renewed >= result.renewable
    ok_moved = result.moved == result.customers - result.renewable and result.moved_max_s <= 10
    return "\n".join(
        [
            "## Period boundary",
            "",
            f"{result.customers:,} subscribers online cross one boundary together; "
            f"{result.renewable:,} can pay for the next period. Real `lastmile radius`, "
            "`lastmile worker` and a CoA peer process (bench/boundary.py).",
            "",
            "| what | result | goal |",
            "|---|---|---|",
            f"| renewable sessions sent a CoA/Disconnect | {result.disconnected_renewable} "
            f"({result.renewed:,} renewed) | 0 {'✅' if ok_drops else '❌'} |",
            f"| sessions moved (guest CoA or Disconnect) | {result.moved:,} of "
            f"{result.customers - result.renewable:,} | all |",
            f"| moved after the boundary, median / last | {result.moved_p50_s:.1f} s / "
            f"{result.moved_max_s:.1f} s | ≤ 10 s {'✅' if ok_moved else '❌'} |",
            f"| Interim-Update p99 at {INTERIM_RATE}/s, before / across the boundary | "
            f"{result.baseline_p99_ms:.1f} ms / {result.boundary_p99_ms:.1f} ms "
            f"({result.boundary_timeouts} timeouts) | unaffected |",
            "",
            "; ".join(result.notes),
            "",
            "How: the boundary's job starts a second early and waits for its moment; it ends "
            "the unpaid first, in shares of 1,000 per transaction (each share's NAS moves start "
            "at its commit), then renews the rest; the changes go out in `aaa.apply_access` jobs "
            "of 1,000 in a worker of their own (`lastmile worker --queues network`, as the "
            "operator guide sets it up), each sending its requests from one thread with up to "
            "`radius_coa_parallel` in flight (`radius.coa.send_many`) and recording them in a "
            "few set-based statements.",
        ]
    )
