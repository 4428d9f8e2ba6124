"""RADIUS benchmark: lastmile's ``lastmile radius`` against FreeRADIUS + PostgreSQL.

The anchor is the shared harness in ``../shared/bench/freeradius`` used in place
(never copied): ``setup.sh`` (FreeRADIUS 3.2 + PostgreSQL 15 from Debian
packages, private cluster on 127.0.0.1:5433), ``radload.py`` (the load
generator, used for both servers) and ``teardown.sh`` (stops its two pids).

lastmile runs on its own embedded PostgreSQL (``var/pg-bench``, default
durability) with the same data: customers user000001… with PPPoE passwords
pw1…, three tariffs, an active paid subscription each, NAS 127.0.0.1 /
``benchsecret`` (Message-Authenticator not required, like the anchor) and one
dynamic pool of 1.2 times the users.  ``lastmile radius`` runs as a subprocess on
127.0.0.1:18120/18130 and is stopped by pid.

Scenarios (same load generator, same concurrency for both):
  1. auth + new address allocation, distinct logins, 64 and 256 in flight
     (anchor: port 1822 with a fresh pool; lastmile: all leases ended first);
  2. re-auth of logins holding a lease, and plain auth (anchor: port 1812);
  3. accounting start / interim / stop (Framed-IP from the allocation run);
  4. reconnect storm: Access-Request and Accounting-Start, each at
     users/seconds req/s at once, 3 s client timeout (radload never retries).

CPU per request is measured here from /proc for the server's process tree
(FreeRADIUS or ``lastmile radius``, plus that server's PostgreSQL postmaster
and its backends), the same way for both; radload's own per-user CPU figures
are kept in the raw results but would also count unrelated clusters.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import BENCH_PG_DIR, REPO

ANCHOR_DIR = REPO.parent / "shared" / "bench" / "freeradius"
RADLOAD = ANCHOR_DIR / "radload.py"
RUN_DIR = Path("/tmp/frbench")
DEBIAN_PACKAGES = ["freeradius", "freeradius-utils", "freeradius-postgresql", "postgresql"]
SECRET = "benchsecret"
LM_AUTH, LM_ACCT = 18120, 18130
FULL_USERS, FULL_STORM_USERS, FULL_STORM_S = 50_000, 100_000, 60
STORM_TIMEOUT_S = 3.0
LEASE_HOLD_S = 300  # lastmile's default lease_hold_after_stop_s
LEASE_SETTLE_S = 1.0  # > the writer's lease expiry flush interval (0.5 s)


# Sizes and results -------------------------------------------------------------------
@dataclass
class Sizes:
    users: int = FULL_USERS
    count: int = FULL_USERS
    storm_users: int = FULL_STORM_USERS
    storm_seconds: int = FULL_STORM_S
    storm: bool = True
    rounds: int = 3  # tuned anchor and lastmile, interleaved; the median is reported

    @property
    def pool(self) -> int:
        return self.users * 6 // 5

    @property
    def storm_pool(self) -> int:
        return self.storm_users * 6 // 5

    @property
    def storm_rate(self) -> int:
        return -(-self.storm_users // self.storm_seconds)

    @property
    def reduced(self) -> bool:
        return (
            self.users < FULL_USERS
            or self.count < FULL_USERS
            or not self.storm
            or self.storm_users < FULL_STORM_USERS
            or self.storm_seconds < FULL_STORM_S
            or self.rounds < 3
        )


@dataclass
class Run:
    """One scenario on one server: radload's JSON lines plus our CPU figure."""

    label: str
    loads: list[dict[str, Any]]
    cpu_server_s: float
    cpu_db_s: float
    db: str = ""

    @property
    def cpu_s(self) -> float:
        return self.cpu_server_s + self.cpu_db_s

    @property
    def wall_s(self) -> float:
        return max(float(x["wall_s"]) for x in self.loads)

    @property
    def machine_busy_pct(self) -> float:
        """Whole machine (both cores, everything on it) busy during the run, from radload."""
        return self.worst("sys_busy_pct_of_2cores")

    @property
    def server_core_pct(self) -> float:
        """CPU of the RADIUS server process alone, in % of one core."""
        return 100 * self.cpu_server_s / max(1e-9, self.wall_s)

    def _sum(self, key: str) -> int:
        return sum(int(x.get(key) or 0) for x in self.loads)

    @property
    def replies(self) -> int:
        return self._sum("replies")

    @property
    def lost(self) -> int:
        return self._sum("count") - self.replies

    @property
    def rejects(self) -> int:
        return self._sum("reject")

    @property
    def timeouts(self) -> int:
        return self._sum("timeouts")

    @property
    def rps(self) -> float:
        return sum(float(x["rps"]) for x in self.loads)

    def worst(self, key: str) -> float:
        values = [float(x[key]) for x in self.loads if x.get(key) is not None]
        return max(values) if values else float("nan")

    @property
    def cpu_ms_per_req(self) -> float:
        return 1000 * self.cpu_s / max(1, self.replies)

    @property
    def dup_client(self) -> int:
        return self._sum("dup_ips_client_side")


@dataclass
class Side:
    """One server's results.  ``rounds`` keeps every repetition of a scenario;
    ``runs`` the median one by throughput (what the tables report), so one
    stall on either side decides nothing."""

    name: str
    runs: dict[str, Run] = field(default_factory=dict)
    rounds: dict[str, list[Run]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    commit_ms: float = float("nan")

    def add(self, key: str, run: Run) -> Run:
        runs = self.rounds.setdefault(key, [])
        runs.append(run)
        self.runs[key] = sorted(runs, key=lambda r: r.rps)[(len(runs) - 1) // 2]
        return run


# Helpers --------------------------------------------------------------------------
def _log(message: str) -> None:
    print(f"aaa: {message}", flush=True)


def ensure_packages() -> None:
    missing = [
        p
        for p in DEBIAN_PACKAGES
        if subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True
        ).stdout.strip()
        != "install ok installed"
    ]
    if not missing:
        return
    if os.geteuid() != 0:
        raise SystemExit(
            "aaa benchmark: missing Debian packages "
            + " ".join(missing)
            + "; install them as root: apt-get install -y "
            + " ".join(DEBIAN_PACKAGES)
        )
    _log(f"installing Debian packages: {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
    ):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            raise SystemExit(
                f"aaa benchmark: {' '.join(cmd)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait_gone(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(_pid_alive(p) for p in pids):
            return True
        time.sleep(0.2)
    return not any(_pid_alive(p) for p in pids)


def tree_cpu_s(roots: list[int]) -> float:
    """CPU seconds (user+system, plus reaped children) of ``roots`` and all
    their descendants, from /proc."""
    hz = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        times[pid] = sum(int(v) for v in fields[11:15]) / hz
    total, todo, seen = 0.0, [p for p in roots if p in times], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += times.get(pid, 0.0)
        todo.extend(children.get(pid, ()))
    return total


def _radload_args(
    label: str,
    port: int,
    count: int,
    res: Path,
    *,
    mode: str = "auth",
    concurrency: int = 64,
    rate: float = 0,
    timeout: float | None = None,
    ipmap: Path | None = None,
    save_ips: Path | None = None,
    first: int = 1,
) -> list[str]:
    args = [
        sys.executable, str(RADLOAD), "--mode", mode, "--port", str(port),
        "--secret", SECRET, "--count", str(count), "--first", str(first), "--shuffle",
        "--label", label, "--out", str(res / "runs.jsonl"),
    ]  # fmt: skip
    if rate:
        args += ["--rate", str(rate)]
    else:
        args += ["--concurrency", str(concurrency)]
    if timeout is not None:
        args += ["--timeout", str(timeout)]
    if ipmap is not None:
        args += ["--ipmap", str(ipmap)]
    if save_ips is not None:
        args += ["--save-ips", str(save_ips)]
    return args


def measure(
    label: str, roots: list[int], loads: list[list[str]], bound_s: float, settle_s: float = 0.0
) -> Run:
    """Run radload processes at once; CPU of the server trees around them.
    ``roots``: [RADIUS server pid, PostgreSQL postmaster pid].  ``settle_s``:
    wait before the closing CPU reading, so work a server defers past its
    replies (lastmile's lease expiry flush) is counted in CPU per request."""
    server_pid, db_pid = roots
    before = tree_cpu_s([server_pid]), tree_cpu_s([db_pid])
    procs = [
        subprocess.Popen(a, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for a in loads
    ]
    results = []
    try:
        for proc in procs:
            try:
                out, err = proc.communicate(timeout=bound_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                raise RuntimeError(
                    f"{label}: radload did not finish within {bound_s:.0f} s"
                ) from None
            if proc.returncode != 0:
                raise RuntimeError(f"{label}: radload failed: {err.strip()[-1500:]}")
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    time.sleep(settle_s)
    run = Run(
        label, results, tree_cpu_s([server_pid]) - before[0], tree_cpu_s([db_pid]) - before[1]
    )
    worst_p99 = run.worst("p99_ms")
    _log(
        f"{label}: {run.rps:,.0f} req/s, p99 {worst_p99:.1f} ms, timeouts {run.timeouts}, "
        f"lost {run.lost}, rejects {run.rejects}, {run.cpu_ms_per_req:.3f} ms CPU/req, "
        f"server process {run.server_core_pct:.0f}% of a core"
    )
    return run


def _bound(count: int) -> float:
    return 120 + count * 0.05


def _same_ips(a: Path, b: Path) -> str:
    try:
        first, second = json.loads(a.read_text()), json.loads(b.read_text())
    except (OSError, ValueError):
        return "n/a"
    same = sum(1 for k, v in first.items() if second.get(k) == v)
    return f"same address on re-auth {same:,} of {len(first):,}"


# Anchor: FreeRADIUS + PostgreSQL --------------------------------------------------
class Anchor:
    def __init__(self, res: Path, users: int, pool: int) -> None:
        self.res, self.users, self.pool = res, users, pool
        self.env = {
            **os.environ,
            "RUN": str(RUN_DIR),
            "RES": str(res),
            "USERS": str(users),
            "POOL": str(pool),
        }
        self.pids: list[int] = []

    def _pidfile(self, name: str) -> int | None:
        try:
            return int((RUN_DIR / name).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def start(self) -> None:
        for name in ("radiusd.pid", "pg.pid"):
            pid = self._pidfile(name)
            if pid is not None and _pid_alive(pid):
                raise RuntimeError(
                    f"{RUN_DIR}/{name} names a running process ({pid}); another anchor run is "
                    f"active or was left behind: RUN={RUN_DIR} bash {ANCHOR_DIR}/teardown.sh"
                )
        shutil.rmtree(RUN_DIR, ignore_errors=True)  # setup.sh only loads an empty cluster
        _log(f"anchor: setup.sh USERS={self.users} POOL={self.pool}")
        with open(self.res / "anchor-setup.log", "a") as log:
            done = subprocess.run(
                ["bash", str(ANCHOR_DIR / "setup.sh")], env=self.env, stdout=log,
                stderr=subprocess.STDOUT, timeout=1800,
            )  # fmt: skip
        self.pids = [p for p in (self._pidfile("radiusd.pid"), self._pidfile("pg.pid")) if p]
        if done.returncode != 0 or len(self.pids) != 2:
            raise RuntimeError(f"anchor setup.sh failed, see {self.res / 'anchor-setup.log'}")
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            probe = subprocess.run(
                [sys.executable, str(RADLOAD), "--port", "1812", "--secret", SECRET,
                 "--count", "1", "--timeout", "1"],
                capture_output=True, text=True, timeout=30,
            )  # fmt: skip
            if probe.returncode == 0 and json.loads(probe.stdout.splitlines()[-1])["accept"] == 1:
                return
            time.sleep(0.5)
        raise RuntimeError("anchor FreeRADIUS did not answer within 60 s")

    def stop(self) -> None:
        pids = [
            p for p in (self._pidfile("radiusd.pid"), self._pidfile("pg.pid")) if p
        ] or self.pids
        if not pids:  # never started, or stopped already
            return
        subprocess.run(["bash", str(ANCHOR_DIR / "teardown.sh")], env=self.env, timeout=60)
        if not _wait_gone(pids, 60):
            raise RuntimeError(f"anchor processes {pids} still running after teardown.sh")
        shutil.rmtree(RUN_DIR, ignore_errors=True)
        self.pids = []
        _log("anchor: stopped")

    def apply_tuned(self) -> None:
        """Switch the running anchor to the harness's tuned overlay
        (``conf-tuned/apply.sh``: socket buffer, fixed 8 threads and 8 SQL
        connections over the unix socket, PostgreSQL's tuned settings; still
        durable) — "the strongest set-up a competent operator would run"."""
        env = {
            **self.env, "THREADS": "8", "SQLPOOL": "8", "PGSOCK": "1", "PGCONF": "tuned",
            "IPPOOL": "skiplocked",
        }  # fmt: skip
        _log("anchor: conf-tuned/apply.sh THREADS=8 SQLPOOL=8 PGSOCK=1 PGCONF=tuned")
        with open(self.res / "anchor-setup.log", "a") as log:
            done = subprocess.run(
                ["bash", str(ANCHOR_DIR / "conf-tuned" / "apply.sh")], env=env, stdout=log,
                stderr=subprocess.STDOUT, timeout=600,
            )  # fmt: skip
        self.pids = [p for p in (self._pidfile("radiusd.pid"), self._pidfile("pg.pid")) if p]
        if done.returncode != 0 or len(self.pids) != 2:
            raise RuntimeError(
                f"anchor conf-tuned/apply.sh failed, see {self.res / 'anchor-setup.log'}"
            )
        self._wait_ready()

    def sql(self, *statements: str) -> str:
        args = [
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            "5433",
            "-U",
            "radius",
            "-d",
            "radius",
            "-q",
            "-tA",
            "-X",
        ]
        for s in statements:
            args += ["-c", s]
        done = subprocess.run(args, capture_output=True, text=True, timeout=600, check=True)
        return done.stdout.strip()

    def reset_pool(self) -> None:
        self.sql(
            "UPDATE radippool SET expiry_time = now() - interval '1 day', pool_key='',"
            " nasipaddress='', callingstationid='', username=''",
            "VACUUM ANALYZE radippool",
        )

    def lease_check(self) -> str:
        row = self.sql(
            "SELECT count(*) || ' ' || count(DISTINCT framedipaddress) || ' ' ||"
            " count(DISTINCT username) FROM radippool WHERE expiry_time > now()"
        )
        leases, ips, users = row.split()
        return f"DB: {leases} active leases, {ips} distinct addresses, {users} distinct users"


def run_anchor_stock(anchor: Anchor, side: Side, n: int, res: Path) -> None:
    """The stock anchor, once: the informational table (the goals are set
    against the tuned anchor, which is measured in interleaved rounds)."""
    roots = anchor.pids
    measure(
        "warm-up",
        roots,
        [_radload_args("a_warmup", 1812, min(n, 5000), res, concurrency=32)],
        _bound(n),
    )
    _anchor_allocations(anchor, side, "a", "", n, res)
    run = measure(
        "anchor re-auth c64", roots,
        [_radload_args("a_reauth_c64", 1822, n, res, save_ips=res / "a_ips_reauth.json")],
        _bound(n),
    )  # fmt: skip
    run.db = (
        anchor.lease_check() + "; " + _same_ips(res / "a_ips_c256.json", res / "a_ips_reauth.json")
    )
    side.add("reauth", run)
    side.add(
        "plain",
        measure(
            "anchor plain auth c64", roots, [_radload_args("a_plain_c64", 1812, n, res)], _bound(n)
        ),
    )
    for port, tag in ((1813, "acct"), (1823, "acct_ippool")):
        anchor.sql("TRUNCATE radacct", "VACUUM ANALYZE radacct")
        for mode in ("acct-start", "acct-interim", "acct-stop"):
            side.add(f"{tag}_{mode}", measure(
                f"anchor {mode} :{port}", roots,
                [_radload_args(f"a_{tag}_{mode}", port, n, res, mode=mode, ipmap=res / "a_ips_reauth.json")],
                _bound(n),
            ))  # fmt: skip
        rows = anchor.sql(
            "SELECT count(*) || ' rows, ' || count(acctstoptime) || ' stopped' FROM radacct"
        )
        side.runs[f"{tag}_acct-stop"].db = f"radacct: {rows}"


def _anchor_allocations(
    anchor: Anchor, side: Side, tag: str, key_prefix: str, n: int, res: Path, round_: int = 0
) -> None:
    """Auth + new address at 64 and 256 in flight, each from an empty pool."""
    for c in (64, 256):
        anchor.reset_pool()
        run = measure(
            f"{'anchor' if tag == 'a' else 'tuned anchor'} alloc c{c} (round {round_ + 1})",
            anchor.pids,
            [_radload_args(f"{tag}_alloc_c{c}_r{round_}", 1822, n, res, concurrency=c, save_ips=res / f"{tag}_ips_c{c}.json")],
            _bound(n),
        )  # fmt: skip
        run.db = anchor.lease_check()
        side.add(f"{key_prefix}alloc_c{c}", run)


def start_tuned(anchor: Anchor, n: int, res: Path) -> None:
    """Switch the running anchor to the harness's tuned overlay and warm it."""
    anchor.apply_tuned()
    measure(
        "tuned warm-up", anchor.pids,
        [_radload_args("t_warmup", 1812, min(n, 5000), res, concurrency=32)], _bound(n),
    )  # fmt: skip


def tuned_round(anchor: Anchor, side: Side, n: int, res: Path, round_: int) -> None:
    """One round against the tuned anchor — the design's goals: allocation,
    plain auth from SQL, plain auth with every user in rlm_cache (a second
    pass, so the cache is warm), accounting."""
    roots = anchor.pids
    _anchor_allocations(anchor, side, "t", "t_", n, res, round_)
    side.add("t_plain", measure(
        f"tuned anchor plain auth c64 (round {round_ + 1})", roots,
        [_radload_args(f"t_plain_c64_r{round_}", 1812, n, res)], _bound(n),
    ))  # fmt: skip
    measure(
        "tuned anchor rlm_cache fill", roots,
        [_radload_args(f"t_cache_cold_c64_r{round_}", 1842, n, res)], _bound(n),
    )  # fmt: skip
    side.add("t_cache", measure(
        f"tuned anchor rlm_cache warm c64 (round {round_ + 1})", roots,
        [_radload_args(f"t_cache_warm_c64_r{round_}", 1842, n, res)], _bound(n),
    ))  # fmt: skip
    anchor.sql("TRUNCATE radacct", "VACUUM ANALYZE radacct")
    for mode in ("acct-start", "acct-interim", "acct-stop"):
        side.add(f"t_acct_{mode}", measure(
            f"tuned anchor {mode} :1813 (round {round_ + 1})", roots,
            [_radload_args(f"t_acct_{mode}_r{round_}", 1813, n, res, mode=mode, ipmap=res / "a_ips_reauth.json")],
            _bound(n),
        ))  # fmt: skip


def _storm(roots: list[int], auth: int, acct: int, sizes: Sizes, res: Path, tag: str) -> Run:
    s, rate = sizes.storm_users, sizes.storm_rate
    return measure(
        f"{tag} storm {s:,} at {rate}/s + {rate}/s",
        roots,
        [
            _radload_args(f"{tag}_storm_auth", auth, s, res, rate=rate, timeout=STORM_TIMEOUT_S,
                          save_ips=res / f"{tag}_ips_storm.json"),
            _radload_args(f"{tag}_storm_acct", acct, s, res, mode="acct-start", rate=rate,
                          timeout=STORM_TIMEOUT_S),
        ],
        _bound(s),
    )  # fmt: skip


# lastmile --------------------------------------------------------------------------
LOAD_SQL = [
    "INSERT INTO subscriptions_tariff (name, description, price, period_kind, period_days,"
    " rate_down_kbps, rate_up_kbps, is_public, is_active, created_at, updated_at) VALUES"
    " ('plan50','',450.00,'month',NULL,50000,50000,true,true,now(),now()),"
    " ('plan100','',650.00,'month',NULL,100000,100000,true,true,now(),now()),"
    " ('plan500','',990.00,'month',NULL,500000,500000,true,true,now(),now())",
    "INSERT INTO finance_account (customer_id, balance, credit_limit, updated_at)"
    " SELECT id, 100.00, 0, now() FROM customers_customer",
    "INSERT INTO finance_ledgerentry (account_id, kind, amount, balance_before,"
    " balance_after, reason, actor_label, idempotency_key, created_at)"
    " SELECT customer_id, 'correction', 100.00, 0, 100.00, 'bench opening balance',"
    " 'bench', 'open:' || customer_id, now() FROM finance_account",
    "INSERT INTO subscriptions_subscription (customer_id, tariff_id, price, state,"
    " auto_renew, anchor, periods, period_start, period_end, end_reason, created_at,"
    " updated_at)"
    " SELECT c.id, t.id, t.price, 'active', true, now() - interval '1 day', 1,"
    " now() - interval '1 day', now() + interval '30 days', '', now(), now()"
    " FROM customers_customer c JOIN (SELECT id, price, row_number() OVER (ORDER BY id)"
    " - 1 AS k FROM subscriptions_tariff) t ON t.k = c.id % 3",
]


def load_lastmile(users: int, pool: int) -> None:
    """Flush the bench database and load the anchor's data shape, set-based."""
    import ipaddress

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from lastmile.core.crypto import encrypt_secret
    from lastmile.network.models import Nas, Pool, PoolKind, Vendor

    started = time.perf_counter()
    call_command("flush", interactive=False, verbosity=0)
    now = timezone.now()
    columns = (
        "login, contract_number, full_name, phones, email, locality, street, house, apartment,"
        " is_active, description, pppoe_secret_encrypted, cabinet_password, created_at, updated_at"
    )
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")
        with cur.copy(f"COPY customers_customer ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for i in range(1, users + 1):
                login = f"user{i:06d}"
                copy.write_row(
                    (login, f"B-{i:06d}", f"Bench {i}", [], "", "", "", "", "", True, "",
                     encrypt_secret(f"pw{i}"), "", now, now)
                )  # fmt: skip
        for statement in LOAD_SQL:  # still without history/notify triggers
            cur.execute(statement)
    nas = Nas(name="bench-bras", address="127.0.0.1", vendor=Vendor.MIKROTIK)
    nas.require_message_authenticator = False
    nas.set_secret(SECRET)
    nas.save()
    network = ipaddress.IPv4Network("10.64.0.0/14")
    first = network.network_address + 1
    Pool.objects.create(
        name="bench-dynamic",
        kind=PoolKind.DYNAMIC,
        network=str(network),
        range_start=str(first),
        range_end=str(first + pool - 1),
        is_active=True,
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    _log(
        f"lastmile: loaded {users:,} customers, pool {pool:,} in {time.perf_counter() - started:.1f} s"
    )


def end_all_leases() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "UPDATE network_lease SET ended_at = greatest(now(), started_at),"
            " end_reason = 'released' WHERE ended_at IS NULL"
        )
        cur.execute("VACUUM ANALYZE network_lease")


def lastmile_lease_check() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), count(DISTINCT address), count(DISTINCT customer_id)"
            " FROM network_lease WHERE ended_at IS NULL"
        )
        leases, ips, customers = cur.fetchone()
    return f"DB: {leases} active leases, {ips} distinct addresses, {customers} distinct customers"


class LastmileServer:
    def __init__(self, url: str, res: Path) -> None:
        self.url, self.res = url, res
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log_path = self.res / "lastmile-radius.log"
        env = {
            **os.environ,
            "LASTMILE_DEMO": "1",
            "LASTMILE_DATABASE_URL": self.url,
            "LASTMILE_LOG_LEVEL": "WARNING",
        }
        offset = log_path.stat().st_size if log_path.exists() else 0
        with open(log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [str(Path(sys.executable).parent / "lastmile"), "radius", "--bind", "127.0.0.1",
                 "--auth-port", str(LM_AUTH), "--acct-port", str(LM_ACCT)],
                env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
            )  # fmt: skip
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"lastmile radius exited ({self.proc.returncode}), see {log_path}"
                )
            with open(log_path, "rb") as fh:
                fh.seek(offset)
                if b"lastmile radius ready" in fh.read():
                    return
            time.sleep(0.2)
        raise RuntimeError(f"lastmile radius not ready within 180 s, see {log_path}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = None
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.proc = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid


def _postmaster_pid() -> int:
    return int((BENCH_PG_DIR / "postmaster.pid").read_text().split()[0])


def commit_latency_ms(url: str, commits: int = 200) -> float:
    """Mean latency of a one-row durable commit on the bench cluster (the disk's
    fsync, which bounds every durable reply)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (x int)")
        started = time.perf_counter()
        for i in range(commits):
            conn.execute("INSERT INTO bench_commit_probe VALUES (%s)", (i,))
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE bench_commit_probe")
    return 1000 * elapsed / commits


def _durability() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        values = []
        for name in ("fsync", "synchronous_commit", "shared_buffers"):
            cur.execute(f"SHOW {name}")
            values.append(f"{name}={cur.fetchone()[0]}")
    return ", ".join(values)


def lastmile_round(server: LastmileServer, side: Side, n: int, res: Path, round_: int) -> None:
    """One round of every lastmile scenario, from ended leases and an empty
    session table (as the anchor's rounds start from a reset pool and an
    empty radacct)."""
    from django.db import connection

    def roots() -> list[int]:
        return [server.pid, _postmaster_pid()]

    tag = f"(round {round_ + 1})"
    for c in (64, 256):
        server.stop()
        end_all_leases()
        server.start()
        run = measure(
            f"lastmile alloc c{c} {tag}", roots(),
            [_radload_args(f"l_alloc_c{c}_r{round_}", LM_AUTH, n, res, concurrency=c, save_ips=res / f"l_ips_c{c}.json")],
            _bound(n),
        )  # fmt: skip
        run.db = lastmile_lease_check()
        side.add(f"alloc_c{c}", run)
    run = measure(
        f"lastmile re-auth c64 {tag}", roots(),
        [_radload_args(f"l_reauth_c64_r{round_}", LM_AUTH, n, res, save_ips=res / "l_ips_reauth.json")],
        _bound(n),
    )  # fmt: skip
    run.db = (
        lastmile_lease_check()
        + "; "
        + _same_ips(res / "l_ips_c256.json", res / "l_ips_reauth.json")
    )
    side.add("reauth", run)
    with connection.cursor() as cur:
        # No ANALYZE here: statistics of an empty table would plan the
        # accounting statements as scans while the table fills up.
        cur.execute("TRUNCATE network_session")
    for mode in ("acct-start", "acct-interim", "acct-stop"):
        side.add(f"acct_{mode}", measure(
            f"lastmile {mode} {tag}", roots(),
            [_radload_args(f"l_acct_{mode}_r{round_}", LM_ACCT, n, res, mode=mode, ipmap=res / "l_ips_reauth.json")],
            _bound(n), settle_s=LEASE_SETTLE_S,
        ))  # fmt: skip
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), count(stopped_at) FROM network_session")
        rows, stopped = cur.fetchone()
        cur.execute(
            "SELECT count(*), count(*) FILTER (WHERE expires_at <= now() + %s * interval '1 s')"
            " FROM network_lease WHERE ended_at IS NULL",
            [LEASE_HOLD_S],
        )
        leases, released = cur.fetchone()
    side.rounds["acct_acct-stop"][-1].db = (
        f"sessions: {rows} rows, {stopped} stopped; leases on hold after Stop:"
        f" {released} of {leases}"
    )


def start_lastmile(sizes: Sizes, side: Side, res: Path) -> LastmileServer:
    from django.db import connection

    from lastmile.db.runtime import ensure_embedded

    url = ensure_embedded().url(connection.settings_dict["NAME"])
    side.notes.append(_durability())
    side.commit_ms = commit_latency_ms(url)
    _log(f"durable one-row commit on the bench cluster: {side.commit_ms:.2f} ms")
    load_lastmile(sizes.users, sizes.pool)
    server = LastmileServer(url, res)
    server.start()
    measure(
        "warm-up",
        [server.pid, _postmaster_pid()],
        [_radload_args("l_warmup", LM_AUTH, min(sizes.count, 5000), res, concurrency=32)],
        _bound(sizes.count),
    )
    return server


def run_storms(
    sizes: Sizes, anchor: Side, lastmile: Side, server: LastmileServer, res: Path
) -> None:
    """The reconnect storm, once per server (a pass/fail scenario: 0 timeouts)."""
    storm_anchor = Anchor(res, sizes.storm_users, sizes.storm_pool)
    try:
        storm_anchor.start()
        storm_anchor.reset_pool()
        anchor.add("storm", _storm(storm_anchor.pids, 1822, 1823, sizes, res, "a"))
        anchor.runs["storm"].db = storm_anchor.lease_check()
    finally:
        storm_anchor.stop()
    server.stop()
    load_lastmile(sizes.storm_users, sizes.storm_pool)
    server.start()
    lastmile.add(
        "storm", _storm([server.pid, _postmaster_pid()], LM_AUTH, LM_ACCT, sizes, res, "l")
    )
    lastmile.runs["storm"].db = lastmile_lease_check()


# Report ----------------------------------------------------------------------------
def _fmt(value: float, digits: int = 1) -> str:
    return "—" if value != value else f"{value:,.{digits}f}"  # NaN → dash


def _spread(median: Run, runs: list[Run]) -> str:
    """The median's throughput and, for repeated scenarios, the lowest and highest."""
    if len(runs) < 2:
        return _fmt(median.rps, 0)
    values = sorted(r.rps for r in runs)
    return f"{_fmt(median.rps, 0)} ({_fmt(values[0], 0)}–{_fmt(values[-1], 0)})"


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("yes" if ok else "**no**")


ACCOUNTING_PROFILE = (
    "How accounting got here (profiled with py-spy on the server and EXPLAIN (ANALYZE, WAL) "
    "on its statements, 50,000 sessions, 64 in flight; each step measured before it was "
    "kept): at first accounting ran at 0.65–1.3× the SQL-only anchor, with the server "
    "process only 28–54% busy, so the limit was each batch's time in PostgreSQL, not "
    "Python. (1) Every Start also updated the session's lease (session id, expiry): a "
    "non-HOT update through ten lease indexes, the larger half of the batch. Now the cache "
    "decides whether the lease changes at all (start: no; interim: only when less than half "
    "of it is left; stop: the hold time) and that change is flushed off the reply path: "
    "start 6.6k → 12k/s, stop 7.1k → 10.5k/s. (2) Session rows no longer carry database "
    "foreign keys (a key-share lock on a customer row per insert, checked at commit) or the "
    "two single-column FK indexes: −0.45 ms per batch of 32. (3) Interim updates are HOT "
    "(no index on updated_at, started_at kept as first recorded, fillfactor 50 — also "
    "keeps a Stop's new row version on its page; 80 measured 8–18% slower): interim "
    "10.4k → 11.5k/s. (4) psycopg dumps list parameters element by element in Python, a "
    "fifth of the server's CPU; the writer builds the array literals itself "
    "(`aaa/pgarray.py`): batches 2.9 → 2.3 ms, start/interim +15%. Tried and not kept, "
    "no measurable change or worse: more writer connections (3, 4) or a shorter batch wait "
    "(0–1 ms); single-statement batches in autocommit (no BEGIN/COMMIT round trips); a "
    "plain UPDATE before the upsert for Interim/Stop; a lease flush every 0.1–2 s instead "
    "of 0.5 s; two `lastmile radius` processes on one port (SO_REUSEPORT): 5–15% slower, "
    "as they compete with PostgreSQL for the two cores. Stop was the slowest of the three: "
    "its row leaves the open-session index, so it cannot be a HOT update, and each Stop "
    "shortens its lease to the hold time. (5) That lease update went through all ten lease "
    "indexes: `expires_at` was indexed and the lease pages were full, so it could not be "
    "HOT either (dropping the index alone, tried earlier, changed nothing for that reason). "
    "Without the index and with fillfactor 70 (network migration 0010; the expiry sweep "
    "reads active leases through a partial index) the hold and a re-auth's renewal are "
    "written in place: WAL per Stop 1,479 → 796 bytes, measured on 10,000 Stops. (6) Every "
    "batch ran a second statement that looks for an older session under a reused "
    "(NAS, Acct-Session-Id); it now runs only for Starts, and the upsert's own guard keeps "
    "another customer's row out (the batch is retried after moving that row aside), so a "
    "batch of Interim-Updates or Stops is one statement."
)


def _limits(anchor: Side, lastmile: Side) -> str:
    """The "what limits us" note, from this run's figures."""
    m = lastmile.runs
    parts = [
        "What limits us: lastmile decides from memory and sends lease and accounting writes "
        "through a group commit (2 connections, one transaction per batch); every reply that "
        "writes waits for its batch's commit, so with N requests in flight throughput is about "
        "N / (commit latency + queueing). An Accounting-Response waits for its session row "
        "only: the rare lease expiry change an accounting packet causes (a running session's "
        "lease extended when less than half is left; the hold time after Stop) is written "
        "by a flush every 0.5 s off the reply path, and its CPU is counted here (the closing "
        "CPU reading waits 1 s)."
    ]
    if lastmile.commit_ms == lastmile.commit_ms:
        parts.append(f"A one-row durable commit took {lastmile.commit_ms:.2f} ms on this disk.")
    busy = [
        f"{name} {m[key].server_core_pct:.0f}%"
        for key, name in (
            ("alloc_c256", "allocation at 256"),
            ("reauth", "re-auth"),
            ("acct_acct-start", "acct start"),
        )
        if key in m
    ]
    if busy:
        parts.append(
            "The `lastmile radius` process (one event loop, one core at most) used "
            + ", ".join(busy)
            + " of a core; near 100% the event loop is the limit, well below it the commits are."
        )
    if "alloc_c256" in m:
        parts.append(
            f"The whole machine was {_fmt(m['alloc_c256'].machine_busy_pct, 0)}% busy during "
            "allocation at 256 (load generator, PostgreSQL and the server share two cores); near "
            "100% the figures are bound by the machine, not by either server alone."
        )
    alloc = m.get("alloc_c256")
    if alloc is not None and alloc.worst("p99_ms") > 100:
        parts.append(
            f"The allocation p99 ({alloc.worst('p99_ms'):.0f} ms) is above the target while the "
            "median is not: look for pauses in the server process (Python's full garbage "
            "collection over the in-memory state, commits that wait for a checkpoint)."
        )
    return " ".join(parts)


def report(anchor: Side, lastmile: Side, sizes: Sizes, res: Path) -> str:
    a, m = anchor.runs, lastmile.runs
    title = "## RADIUS (AAA)"
    if sizes.reduced:
        title += " — smoke run (reduced sizes), not the measurement"
    storm_desc = (
        f"{sizes.storm_users:,} subscribers, Access-Request and Accounting-Start at "
        f"{sizes.storm_rate:,}/s each for {sizes.storm_seconds} s, {STORM_TIMEOUT_S:g} s timeout"
    )
    lines = [
        title,
        "",
        f"Same machine, same run, same load generator (`shared/bench/freeradius/radload.py`, PAP, "
        f"no retries). Anchor: FreeRADIUS 3.2 + PostgreSQL 15 (stock Debian, `setup.sh`, "
        f"sqlippool `skiplocked`), {sizes.users:,} users, pool {sizes.pool:,}. lastmile: "
        f"`lastmile radius` on the embedded PostgreSQL ({'; '.join(lastmile.notes)}), same "
        f"users/passwords, 3 tariffs, active subscriptions, pool {sizes.pool:,}. "
        f"{sizes.count:,} requests per scenario, shuffled logins. The stock anchor runs each "
        "scenario once, before the rounds against the tuned anchor below; lastmile's figures are "
        "the medians of its rounds (lowest–highest in brackets).",
        "",
        "| scenario | anchor req/s | lastmile req/s | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]

    def ratio_row(name: str, key_a: str, key_m: str, target: float, extra: str = "") -> None:
        if key_a not in a or key_m not in m:
            return
        ra, rm = a[key_a], m[key_m]
        ratio = rm.rps / ra.rps if ra.rps else float("nan")
        ok = ratio >= target
        rounds_a, rounds_m = anchor.rounds.get(key_a, [ra]), lastmile.rounds.get(key_m, [rm])
        target_text = f"≥ {target:g}×{extra}"
        if key_m == "alloc_c256":
            ok = (
                ok
                and rm.worst("p99_ms") <= 100
                and rm.lost == 0
                and rm.rejects == 0
                and rm.dup_client == 0
            )
        ratios = ""
        if len(rounds_a) == len(rounds_m) > 1:  # paired rounds: the ratio of each round
            each = sorted(x.rps / y.rps for x, y in zip(rounds_m, rounds_a, strict=True) if y.rps)
            ratios = f" ({_fmt(each[0], 2)}–{_fmt(each[-1], 2)})" if each else ""
        lines.append(
            f"| {name} | {_spread(ra, rounds_a)} | {_spread(rm, rounds_m)} | {_fmt(ratio, 2)}×"
            f"{ratios} | {target_text} | {_verdict(ok)} |"
        )

    ratio_row("auth + new address, 64 in flight", "alloc_c64", "alloc_c64", 3)
    ratio_row(
        "auth + new address, 256 in flight", "alloc_c256", "alloc_c256", 3,
        "; p99 ≤ 100 ms, 0 lost, 0 duplicates",
    )  # fmt: skip
    ratio_row("re-auth (lease held), 64 in flight", "reauth", "reauth", 2)
    ratio_row("plain auth (anchor :1812) vs lastmile re-auth, 64", "plain", "reauth", 2)
    for mode in ("acct-start", "acct-interim", "acct-stop"):
        ratio_row(
            f"accounting {mode.split('-')[1]} (anchor sql only, :1813)",
            f"acct_{mode}",
            f"acct_{mode}",
            2,
        )
    for mode in ("acct-start", "acct-interim", "acct-stop"):
        ratio_row(
            f"accounting {mode.split('-')[1]} (anchor sql + sqlippool, :1823)",
            f"acct_ippool_{mode}", f"acct_{mode}", 2,
        )  # fmt: skip
    if "alloc_c64" in a and "alloc_c64" in m:
        ca, cm = a["alloc_c64"].cpu_ms_per_req, m["alloc_c64"].cpu_ms_per_req
        lines.append(
            f"| CPU per full auth with allocation (server + DB), ms | {ca:.3f} | {cm:.3f} | "
            f"{_fmt(cm / ca if ca else float('nan'), 2)}× | ≤ 0.3× | {_verdict(cm <= 0.3 * ca)} |"
        )
    storm_at = len(lines)
    if "t_alloc_c64" in a:
        lines += [
            "",
            "Against the tuned anchor — the design's goals. Same run, same FreeRADIUS and "
            "PostgreSQL switched to the harness's `conf-tuned/apply.sh` (8 fixed threads, 8 SQL "
            "connections over the unix socket, 4 MB socket buffer, tuned PostgreSQL with fsync "
            f"and synchronous_commit on). {sizes.rounds} rounds, interleaved: a tuned-anchor "
            "round of every scenario, then a lastmile round, and so on; each cell is the median "
            "round with the lowest–highest in brackets, and the ratio is median over median "
            "with the lowest–highest ratio of a round and the anchor's round just before it:",
            "",
            "| scenario | tuned anchor req/s | lastmile req/s | ratio | goal | met |",
            "|---|---|---|---|---|---|",
        ]
        ratio_row("auth + new address, 64 in flight", "t_alloc_c64", "alloc_c64", 3)
        ratio_row(
            "auth + new address, 256 in flight", "t_alloc_c256", "alloc_c256", 3,
            "; p99 ≤ 100 ms, 0 lost, 0 duplicates",
        )  # fmt: skip
        ratio_row(
            "plain auth, every user in rlm_cache (:1842, warm) vs lastmile re-auth, 64",
            "t_cache", "reauth", 0.8,
        )  # fmt: skip
        for mode in ("acct-start", "acct-interim", "acct-stop"):
            ratio_row(
                f"accounting {mode.split('-')[1]} (:1813)", f"t_acct_{mode}", f"acct_{mode}", 2
            )
        if "alloc_c64" in m:
            ct, cm = a["t_alloc_c64"].cpu_ms_per_req, m["alloc_c64"].cpu_ms_per_req
            lines.append(
                f"| CPU per full auth with allocation (server + DB), ms | {ct:.3f} | {cm:.3f} | "
                f"{_fmt(cm / ct if ct else float('nan'), 2)}× | ≤ 0.3× | "
                f"{_verdict(cm <= 0.3 * ct)} |"
            )
    tuned_lines = lines[storm_at:]
    del lines[storm_at:]
    if "storm" in m:
        sa, sm = a.get("storm"), m["storm"]
        ok = sm.timeouts == 0 and sm.lost == 0 and sm.worst("p99_ms") <= 100
        anchor_cell = f"{sa.timeouts:,} timeouts, p99 {_fmt(sa.worst('p99_ms'))} ms" if sa else "—"
        lines.append(
            f"| storm: {storm_desc} | {anchor_cell} | {sm.timeouts:,} timeouts, p99 "
            f"{_fmt(sm.worst('p99_ms'))} ms | — | 0 timeouts, p99 ≤ 100 ms | {_verdict(ok)} |"
        )
    lines += tuned_lines
    lines += [
        "",
        "Details (latency from radload: send → verified reply; CPU ms/req = CPU of the server "
        "process tree + its PostgreSQL postmaster and backends, from /proc, divided by replies; "
        "lost = requests without a reply; duplicates = addresses handed to more than one login, "
        "client side):",
        "",
        "| scenario | server | req/s | p50 ms | p99 ms | max ms | timeouts | lost | rejects | "
        "CPU ms/req (server + DB) | server process, % of a core | machine busy % | "
        "dup. addresses | database check |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    order = [
        ("alloc_c64", "auth + new address, 64"),
        ("alloc_c256", "auth + new address, 256"),
        ("reauth", "re-auth, 64"),
        ("plain", "plain auth (:1812), 64"),
        ("acct_acct-start", "acct start, 64"),
        ("acct_acct-interim", "acct interim, 64"),
        ("acct_acct-stop", "acct stop, 64"),
        ("acct_ippool_acct-start", "acct start + sqlippool (:1823), 64"),
        ("acct_ippool_acct-interim", "acct interim + sqlippool (:1823), 64"),
        ("acct_ippool_acct-stop", "acct stop + sqlippool (:1823), 64"),
        ("storm", "storm (auth + acct-start at once)"),
        ("t_alloc_c64", "auth + new address, 64"),
        ("t_alloc_c256", "auth + new address, 256"),
        ("t_plain", "plain auth (:1812), 64"),
        ("t_cache", "plain auth, rlm_cache warm (:1842), 64"),
        ("t_acct_acct-start", "acct start, 64"),
        ("t_acct_acct-interim", "acct interim, 64"),
        ("t_acct_acct-stop", "acct stop, 64"),
    ]
    for key, name in order:
        for side in (anchor, lastmile):
            run = side.runs.get(key)
            if run is None:
                continue
            server = "tuned anchor" if key.startswith("t_") else side.name
            lines.append(
                f"| {name} | {server} | {_fmt(run.rps, 0)} | {_fmt(run.worst('p50_ms'), 2)} | "
                f"{_fmt(run.worst('p99_ms'), 2)} | {_fmt(run.worst('max_ms'), 1)} | {run.timeouts:,} | "
                f"{run.lost:,} | {run.rejects:,} | {run.cpu_ms_per_req:.3f} "
                f"({1000 * run.cpu_server_s / max(1, run.replies):.3f} + "
                f"{1000 * run.cpu_db_s / max(1, run.replies):.3f}) | {run.server_core_pct:.0f} | "
                f"{_fmt(run.machine_busy_pct, 0)} | "
                f"{run.dup_client} | {run.db or '—'} |"
            )
    lines += [
        "",
        "Notes: radload sends every request once (no retransmissions), so a timeout is a lost "
        "request; a real NAS would retry after its timeout. In the storm the p50/p99/max columns "
        "are the worse of the two loads and req/s is their sum. For lastmile, plain auth and "
        "re-auth are the same path (every accepted login holds an address), so its re-auth run "
        "is compared with both. Leases are ended (lastmile) or the pool reset (anchor) before "
        "each allocation run; lastmile is restarted then, so its caches are rebuilt from the "
        "database. The anchor's PostgreSQL has `shared_buffers=512MB`; lastmile's embedded "
        "cluster runs with `shared_buffers=256MB`, `max_wal_size=4GB`.",
        "",
        _limits(anchor, lastmile),
        "",
        ACCOUNTING_PROFILE,
        "",
        f"Raw radload results: `{res}/runs.jsonl` (kept after the run).",
    ]
    return "\n".join(lines)


def run(sizes: Sizes) -> str:
    """Both servers, all scenarios; returns the report's markdown."""
    if not RADLOAD.exists():
        raise SystemExit(f"aaa benchmark: the shared harness is missing: {ANCHOR_DIR}")
    ensure_packages()
    res = Path(os.environ.get("RES") or tempfile.mkdtemp(prefix="lastmile-aaa-"))
    res.mkdir(parents=True, exist_ok=True)
    _log(f"results in {res}; sizes {sizes}")
    anchor, lastmile = Side("anchor"), Side("lastmile")
    n = sizes.count
    server: LastmileServer | None = None
    stock = Anchor(res, sizes.users, sizes.pool)
    try:
        stock.start()
        run_anchor_stock(stock, anchor, n, res)
        start_tuned(stock, n, res)
        server = start_lastmile(sizes, lastmile, res)
        # Interleaved: a tuned-anchor round, then a lastmile round, so that a
        # stall or a slow minute of the machine lands on one round of one side.
        for round_ in range(sizes.rounds):
            tuned_round(stock, anchor, n, res, round_)
            lastmile_round(server, lastmile, n, res, round_)
        stock.stop()
        if sizes.storm:
            run_storms(sizes, anchor, lastmile, server, res)
    finally:
        stock.stop()
        if server is not None:
            server.stop()
    text = report(anchor, lastmile, sizes, res)
    (res / "report.md").write_text(text + "\n")
    return text
