"""Billing-run benchmark: lastmile's set-based run against the SQL anchor.

Both run on the same embedded PostgreSQL cluster (var/pg-bench), default
durability, in the same process run:

- anchor: ../shared/bench/freeradius/billing/schema.sql + setbased.sql (one
  UPDATE … RETURNING → INSERT of charges, nothing else), and for 50,000 also
  per_account.pgbench (one transaction per account, what an ORM loop does);
- lastmile: ``run_billing`` over N customers with a due monthly subscription,
  an account with money and a ledger; then a re-run for the same moment
  (must charge 0) and ``check_ledger`` (must find 0 problems).
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from common import REPO

ANCHOR_DIR = REPO.parent / "shared" / "bench" / "freeradius" / "billing"

LOAD_SQL = [
    "SET session_replication_role = replica",  # bulk load: skip history triggers (not the benchmark)
    "INSERT INTO subscriptions_tariff (name, description, price, period_kind, period_days, rate_down_kbps, "
    " rate_up_kbps, is_public, is_active, created_at, updated_at) VALUES "
    " ('B10','',10.00,'month',NULL,10000,10000,true,true,now(),now()),"
    " ('B20','',20.00,'month',NULL,20000,20000,true,true,now(),now()),"
    " ('B50','',50.00,'month',NULL,50000,50000,true,true,now(),now())",
    "INSERT INTO customers_customer (login, contract_number, full_name, phones, email, locality, street, house,"
    " apartment, is_active, description, pppoe_secret_encrypted, cabinet_password, created_at, updated_at)"
    " SELECT 'b' || g, 'B-' || g, '', '{}', '', '', '', '', '', true, '', '', '', now(), now()"
    " FROM generate_series(1, %(n)s) g",
    "INSERT INTO finance_account (customer_id, balance, credit_limit, updated_at)"
    " SELECT id, 100.00, 0, now() FROM customers_customer",
    "INSERT INTO finance_ledgerentry (account_id, kind, amount, balance_before, balance_after, reason,"
    " actor_label, idempotency_key, created_at)"
    " SELECT customer_id, 'correction', 100.00, 0, 100.00, 'bench opening balance', 'bench', 'open:' || customer_id, now()"
    " FROM finance_account",
    "INSERT INTO subscriptions_subscription (customer_id, tariff_id, price, state, auto_renew, anchor, periods,"
    " period_start, period_end, end_reason, created_at, updated_at)"
    " SELECT c.id, t.id, t.price, 'active', true, %(start)s, 1, %(start)s, %(due)s, '', now(), now()"
    " FROM customers_customer c JOIN (SELECT id, price, row_number() OVER (ORDER BY id) - 1 AS k"
    " FROM subscriptions_tariff) t ON t.k = c.id %% 3",
    "SET session_replication_role = DEFAULT",
    "ANALYZE",
]


@dataclass
class BillingResult:
    n: int
    lastmile_s: float
    renewed: int
    rerun_s: float
    rerun_charged: int
    ledger_problems: int
    anchor_setbased_s: float
    anchor_per_account_s: float | None


def _psql(bin_dir: Path, url: str, *args: str) -> str:
    out = subprocess.run(
        [str(bin_dir / "psql"), url, "-X", "-q", *args], capture_output=True, text=True, check=True
    )
    return out.stdout + out.stderr


def _anchor(n: int, bin_dir: Path, url: str, per_account: bool) -> tuple[float, float | None]:
    _psql(bin_dir, url, "-v", f"n={n}", "-f", str(ANCHOR_DIR / "schema.sql"))
    output = _psql(bin_dir, url, "-f", str(ANCHOR_DIR / "setbased.sql"))
    # \timing prints one "Time: X ms" per statement; the run is BEGIN … COMMIT.
    times = [float(t) for t in re.findall(r"Time: ([\d.]+) ms", output)]
    setbased = sum(times) / 1000
    per_acc = None
    if per_account:
        _psql(bin_dir, url, "-v", f"n={n}", "-f", str(ANCHOR_DIR / "schema.sql"))
        started = time.perf_counter()
        subprocess.run(
            [str(bin_dir / "pgbench"), "-n", "-f", str(ANCHOR_DIR / "per_account.pgbench"),
             "-c", "8", "-j", "2", "-t", str(n // 8), url],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        per_acc = time.perf_counter() - started
    return setbased, per_acc


def run(n: int, *, per_account: bool) -> BillingResult:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from lastmile.db.embedded import _bin_dir
    from lastmile.db.runtime import ensure_embedded
    from lastmile.finance.models import LedgerEntry
    from lastmile.finance.queries import check_ledger
    from lastmile.subscriptions.billing import run_billing

    call_command("flush", interactive=False, verbosity=0)
    at = timezone.now()
    with connection.cursor() as cur:
        for statement in LOAD_SQL:
            cur.execute(
                statement,
                {"n": n, "start": at - timedelta(days=31), "due": at - timedelta(minutes=1)},
            )
    started = time.perf_counter()
    result = run_billing(at=at)
    lastmile_s = time.perf_counter() - started
    charges = LedgerEntry.objects.filter(kind="charge").count()
    started = time.perf_counter()
    run_billing(at=at)
    rerun_s = time.perf_counter() - started
    rerun_charged = LedgerEntry.objects.filter(kind="charge").count() - charges
    _accounts, problems = check_ledger()

    address = ensure_embedded()
    anchor_db = "bench_anchor"
    with connection.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {anchor_db}")
        cur.execute(f"CREATE DATABASE {anchor_db}")
    setbased, per_acc = _anchor(n, _bin_dir(), address.url(anchor_db), per_account)
    return BillingResult(
        n, lastmile_s, result.renewed, rerun_s, rerun_charged, len(problems), setbased, per_acc
    )


def report(results: list[BillingResult]) -> str:
    lines = [
        "## Billing run",
        "",
        "Same embedded PostgreSQL cluster, default durability, same run. Anchor: "
        "`shared/bench/freeradius/billing/setbased.sql` (one UPDATE…RETURNING→INSERT; charges only) and "
        "`per_account.pgbench` (one transaction per account, 8 clients). lastmile: `run_billing` "
        "(locks, decisions, charges with chained ledger entries, renewals, fees, run record).",
        "",
        "| subscriptions due | anchor set-based | anchor per-account | lastmile | lastmile / anchor set-based | target | re-run charges | ledger problems |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        target = "≤ 5 s" if r.n <= 50_000 else "≤ 100 s"
        per_acc = f"{r.anchor_per_account_s:.2f} s" if r.anchor_per_account_s is not None else "—"
        lines.append(
            f"| {r.n:,} | {r.anchor_setbased_s:.2f} s | {per_acc} | {r.lastmile_s:.2f} s "
            f"(renewed {r.renewed:,}) | {r.lastmile_s / r.anchor_setbased_s:.1f}× | {target} | "
            f"{r.rerun_charged} (re-run {r.rerun_s:.2f} s) | {r.ledger_problems} |"
        )
    lines += [
        "",
        "What limits us: the anchor writes one charge row per account and nothing else; lastmile also "
        "locks every account in id order (safe against concurrent payments), writes the ledger with "
        "balance before/after, updates each subscription's period and writes history rows for them "
        "(pghistory triggers). Those extra writes are the difference. Profile notes: the first "
        "measurement took 265 s for 50,000 — pgtrigger's and pghistory's trigger helpers rolled back "
        "a subtransaction per row (docs/decisions/0004); after replacing them, the remaining time splits "
        "roughly into the ledger insert (~25 %), the subscription update with its history rows (~50 %) "
        "and commit-time foreign-key checks. The embedded cluster runs with shared_buffers 256MB and "
        "max_wal_size 4GB (fsync and synchronous_commit stay on).",
    ]
    return "\n".join(lines)
