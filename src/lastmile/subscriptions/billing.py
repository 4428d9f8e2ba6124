"""The billing run: renew, switch to pre-orders, expire, charge periodic fees.

Set-based: one pass of a bounded number of SQL statements, whatever the
number of subscriptions (no Python loop per row).  Safe to run while
payments arrive (accounts are locked in customer-id order first, as every
payment locks its account first), serialised against itself by an advisory
lock, and idempotent: a subscription renewed for a moment is no longer due at
that moment, so a re-run charges nothing; unique idempotency keys on the
ledger make a double charge impossible even by mistake.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import structlog
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from procrastinate import exceptions

from lastmile.core.hooks import ACCESS_CHANGED, AccessReason
from lastmile.core.jobs import defer_in_transaction
from lastmile.finance import bulk
from lastmile.subscriptions.followup import NOTICES_AFTER_S, after_billing_run, billing_run_notices
from lastmile.subscriptions.models import BillingRun

log = structlog.get_logger(__name__)

BILLING_LOCK_KEY = 0x6C6D_6269  # "lmbi"

# 1. Lock the accounts of every customer with something due, in id order (finance's recipe).
_LOCK_SQL = bulk.lock_accounts_sql(
    """
    SELECT customer_id FROM subscriptions_subscription WHERE state = 'active' AND period_end <= %(at)s
    UNION
    SELECT customer_id FROM subscriptions_feeassignment WHERE is_active AND next_charge_at <= %(at)s
    """
)


# 2. Decide what happens to each due subscription (read after the locks).
def _due_sql(customers: str = "") -> str:
    """Each due subscription with what happens to it (``action``); ``customers``
    narrows the due set (an SQL condition on ``s``)."""
    return f"""
WITH due AS (
    SELECT s.id, s.customer_id, s.auto_renew, s.anchor, s.periods, s.period_end,
           t.price AS tariff_price, t.is_active AS tariff_on_sale, t.period_kind, t.period_days,
           p.id AS pre_id, p.price AS pre_price, pt.period_kind AS pre_kind, pt.period_days AS pre_days,
           {bulk.available_funds_sql("a", "%(at)s")} AS available,
           c.is_active AS customer_active
    FROM subscriptions_subscription s
    JOIN subscriptions_tariff t ON t.id = s.tariff_id
    JOIN customers_customer c ON c.id = s.customer_id
    JOIN finance_account a ON a.customer_id = s.customer_id
    LEFT JOIN subscriptions_subscription p ON p.customer_id = s.customer_id AND p.state = 'preordered'
    LEFT JOIN subscriptions_tariff pt ON pt.id = p.tariff_id
    WHERE s.state = 'active' AND s.period_end <= %(at)s {customers}
)
SELECT d.*,
    CASE
        WHEN NOT d.customer_active THEN 'expire'
        WHEN d.pre_id IS NOT NULL AND d.available >= d.pre_price THEN 'switch'
        WHEN d.pre_id IS NOT NULL THEN 'expire'
        WHEN d.auto_renew AND d.tariff_on_sale AND d.available >= d.tariff_price THEN 'renew'
        ELSE 'expire'
    END AS action
FROM due d
"""


_DECIDE_SQL = "CREATE TEMP TABLE billing_due ON COMMIT DROP AS " + _due_sql()


def _end_reason_sql(row: str = "") -> str:
    """Why a subscription of ``billing_due`` (columns prefixed ``row``) ends:
    one rule for the run and for the boundary's first step."""
    return f"""CASE
        WHEN {row}action = 'switch' THEN 'replaced'
        WHEN NOT {row}customer_active THEN 'customer_disabled'
        WHEN {row}pre_id IS NOT NULL THEN 'preorder_waiting'
        WHEN NOT {row}auto_renew THEN 'not_renewed'
        WHEN NOT {row}tariff_on_sale THEN 'tariff_withdrawn'
        ELSE 'no_funds' END"""


_AMOUNTS_SQL = f"""
ALTER TABLE billing_due ADD COLUMN amount numeric(14,2), ADD COLUMN charged_sub bigint,
    ADD COLUMN new_anchor timestamptz, ADD COLUMN new_periods integer,
    ADD COLUMN new_start timestamptz, ADD COLUMN new_end timestamptz, ADD COLUMN end_reason text;
UPDATE billing_due SET
    amount = CASE action WHEN 'renew' THEN tariff_price WHEN 'switch' THEN pre_price ELSE 0 END,
    charged_sub = CASE action WHEN 'renew' THEN id WHEN 'switch' THEN pre_id END,
    end_reason = {_end_reason_sql()};
-- Renewal continues from the old end unless a whole period was missed
-- (billing stopped for a while): then it starts anew at the run moment.
UPDATE billing_due SET
    new_anchor = anchor, new_periods = periods + 1, new_start = period_end,
    new_end = lastmile_period_boundary(anchor, periods + 1, period_kind, period_days, %(tz)s)
WHERE action = 'renew';
UPDATE billing_due SET
    new_anchor = %(at)s, new_periods = 1, new_start = %(at)s,
    new_end = lastmile_period_boundary(%(at)s, 1, period_kind, period_days, %(tz)s)
WHERE action = 'renew' AND new_end <= %(at)s;
UPDATE billing_due SET
    new_anchor = CASE WHEN lastmile_period_boundary(period_end, 1, pre_kind, pre_days, %(tz)s) > %(at)s
                      THEN period_end ELSE %(at)s END,
    new_periods = 1
WHERE action = 'switch';
UPDATE billing_due SET
    new_start = new_anchor,
    new_end = lastmile_period_boundary(new_anchor, 1, pre_kind, pre_days, %(tz)s)
WHERE action = 'switch';
"""

# 3. Money: finance's statement moves the balances and writes the entries.
_CHARGE_SQL = bulk.charge_subscriptions_sql("billing_due")

# 4. Subscriptions: end first (one active per customer), then renew / start.
# Renewals do not record the run on the subscription (their ledger entry
# does), which spares a foreign-key check per renewed row.
_SUBSCRIPTIONS_SQL = """
SET LOCAL lastmile.aaa_bulk = 'on';
UPDATE subscriptions_subscription s SET state = 'expired', ended_at = d.period_end,
    end_reason = d.end_reason, billing_run_id = %(run)s
FROM billing_due d WHERE s.id = d.id AND d.action IN ('expire', 'switch') AND s.state = 'active';
UPDATE subscriptions_subscription s SET anchor = d.new_anchor, periods = d.new_periods,
    period_start = d.new_start, period_end = d.new_end, price = d.tariff_price
FROM billing_due d WHERE s.id = d.id AND d.action = 'renew';
UPDATE subscriptions_subscription s SET state = 'active', anchor = d.new_anchor, periods = 1,
    period_start = d.new_start, period_end = d.new_end, billing_run_id = %(run)s
FROM billing_due d WHERE s.id = d.pre_id AND d.action = 'switch' AND s.state = 'preordered';
SET LOCAL lastmile.aaa_bulk = 'off';
-- Tell RADIUS nodes which customers changed, 500 ids per notification.
SELECT pg_notify('lastmile_aaa', 'subscription:' || string_agg(customer_id::text, ','))
FROM (SELECT customer_id, (row_number() OVER (ORDER BY customer_id) - 1) / 500 AS chunk FROM billing_due) c
GROUP BY chunk;
"""

# 5. Periodic fees: charged even into debt; several per customer chain in order.
_FEES_SQL = (
    """
CREATE TEMP TABLE billing_fees ON COMMIT DROP AS
SELECT f.id, f.customer_id, f.price AS amount, f.anchor, f.periods_charged, pf.period_kind, pf.period_days,
    sum(f.price) OVER (PARTITION BY f.customer_id ORDER BY f.id) AS running,
    sum(f.price) OVER (PARTITION BY f.customer_id) AS total
FROM subscriptions_feeassignment f JOIN subscriptions_periodicfee pf ON pf.id = f.fee_id
WHERE f.is_active AND f.next_charge_at <= %(at)s;
ANALYZE billing_fees;
"""
    + bulk.charge_fees_sql("billing_fees")
    + """;
UPDATE subscriptions_feeassignment fa SET periods_charged = f.periods_charged + 1,
    next_charge_at = lastmile_period_boundary(f.anchor, f.periods_charged + 1, f.period_kind, f.period_days, %(tz)s)
FROM billing_fees f WHERE fa.id = f.id;
UPDATE subscriptions_feeassignment fa SET anchor = %(at)s, periods_charged = 1,
    next_charge_at = lastmile_period_boundary(%(at)s, 1, f.period_kind, f.period_days, %(tz)s)
FROM billing_fees f WHERE fa.id = f.id AND fa.next_charge_at <= %(at)s;
"""
)

_DROP_SQL = "DROP TABLE IF EXISTS pg_temp.billing_due, pg_temp.billing_fees"

_SUMMARY_SQL = """
SELECT
    count(*) FILTER (WHERE action = 'renew'),
    count(*) FILTER (WHERE action = 'expire'),
    count(*) FILTER (WHERE action = 'switch'),
    (SELECT count(*) FROM billing_fees),
    coalesce(sum(amount), 0) + coalesce((SELECT sum(amount) FROM billing_fees), 0)
FROM billing_due
"""


# The boundary's first step, one share of customers per transaction.  Only
# their accounts are locked (fees change no access, and the run locks the rest).
_CANDIDATES_SQL = (
    "SELECT customer_id FROM (" + _due_sql() + ") due WHERE action = 'expire' ORDER BY customer_id"
)
_LOCK_SHARE_SQL = bulk.lock_accounts_sql("SELECT unnest(%(ids)s::bigint[]) AS customer_id")
_DECIDE_SHARE_SQL = "CREATE TEMP TABLE billing_due ON COMMIT DROP AS " + _due_sql(
    "AND s.customer_id IN (SELECT unnest(%(ids)s::bigint[]))"
)

_EXPIRE_SQL = f"""
SET LOCAL lastmile.aaa_bulk = 'on';
UPDATE subscriptions_subscription s SET state = 'expired', ended_at = d.period_end,
    end_reason = {_end_reason_sql("d.")},
    billing_run_id = %(run)s
FROM billing_due d WHERE s.id = d.id AND d.action = 'expire' AND s.state = 'active';
SET LOCAL lastmile.aaa_bulk = 'off';
SELECT pg_notify('lastmile_aaa', 'subscription:' || string_agg(customer_id::text, ','))
FROM (SELECT customer_id, (row_number() OVER (ORDER BY customer_id) - 1) / 500 AS chunk
      FROM billing_due WHERE action = 'expire') c
GROUP BY chunk;
"""

#: Customers the boundary's first step ends per transaction: the NAS moves of
#: each share start at its commit, while the next share is decided.
EXPIRE_SHARE = 1000


def expire_unpaid(*, at: datetime | None = None) -> BillingRun | None:
    """The first step at a period boundary: end the due subscriptions that
    cannot be renewed and request their NAS moves, in short transactions of
    their own, so that the moves do not wait for the renewals.

    The candidates are read without locks; each share of ``EXPIRE_SHARE`` of
    them is then decided again after its accounts are locked, by
    ``run_billing``'s own statement, so a subscription that would renew (a
    payment arrived in between) is never ended here, and one that lost its
    money in between is left to the run, which ends it.  Everything else
    (renewals, pre-orders, fees) is left to the ``run_billing`` that follows,
    which no longer sees what was ended.  All shares are recorded on one run;
    returns it, or None when nothing was to end.
    """
    at = at or timezone.now()
    params: dict[str, Any] = {"at": at, "tz": settings.TIME_ZONE}
    with connection.cursor() as cur:
        cur.execute(_CANDIDATES_SQL, params)
        candidates = [row[0] for row in cur.fetchall()]
    run: BillingRun | None = None
    for start in range(0, len(candidates), EXPIRE_SHARE):
        run = _expire_share(candidates[start : start + EXPIRE_SHARE], params, run)
    if run is not None:
        log.info("billing.expired_unpaid", run=run.pk, at=at.isoformat(), expired=run.expired)
    return run


def _expire_share(
    ids: list[int], params: dict[str, Any], run: BillingRun | None
) -> BillingRun | None:
    """End those of ``ids`` that still cannot be renewed, in one transaction."""
    params = {**params, "ids": ids}
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [BILLING_LOCK_KEY])
            cur.execute(_DROP_SQL)
            cur.execute(_LOCK_SHARE_SQL, params)
            cur.execute(_DECIDE_SHARE_SQL, params)
            cur.execute("ANALYZE billing_due")  # see run_billing
            cur.execute("SELECT customer_id FROM billing_due WHERE action = 'expire'")
            ended = [row[0] for row in cur.fetchall()]
            if not ended:
                cur.execute(_DROP_SQL)
                return run
            if run is None:
                run = BillingRun.objects.create(at=params["at"], expired=0)
            cur.execute(_EXPIRE_SQL, {**params, "run": run.pk})
            cur.execute(_DROP_SQL)
        run.expired, run.finished_at = run.expired + len(ended), timezone.now()
        run.save(update_fields=["expired", "finished_at"])
        ACCESS_CHANGED.fire(customer_ids=ended, reason=AccessReason.EXPIRED)
        _notices_queued(run)
    return run


def _notices_queued(run: BillingRun) -> None:
    """Make sure one notices job of ``run`` waits (a share after it started queues another;
    each message is sent once)."""
    try:
        with transaction.atomic():  # a refused duplicate must not abort the share
            defer_in_transaction(
                billing_run_notices,
                schedule_in={"seconds": NOTICES_AFTER_S},
                queueing_lock=f"billing_run_notices:{run.pk}",
                run_id=run.pk,
            )
    except exceptions.AlreadyEnqueued:
        pass


def has_due(at: datetime) -> bool:
    """Whether a run at ``at`` would renew, end or charge anything (two index probes)."""
    from lastmile.subscriptions.models import FeeAssignment, Subscription

    return (
        Subscription.objects.filter(state="active", period_end__lte=at).exists()
        or FeeAssignment.objects.filter(is_active=True, next_charge_at__lte=at).exists()
    )


def run_billing(*, at: datetime | None = None) -> BillingRun:
    """Renew due subscriptions whose customers can pay, end those that cannot,
    apply pre-orders, charge periodic fees.  One transaction."""
    at = at or timezone.now()
    params: dict[str, Any] = {"at": at, "tz": settings.TIME_ZONE, "at_key": at.isoformat()}
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [BILLING_LOCK_KEY])
            # Hash joins and sorts over a whole run's rows stay in memory.
            cur.execute("SET LOCAL work_mem = '256MB'")
        run = BillingRun.objects.create(at=at)
        params["run"] = run.pk
        with connection.cursor() as cur:
            # ON COMMIT DROP is not enough when the run is nested in an outer
            # transaction (a test, a caller's atomic block).
            cur.execute(_DROP_SQL)
            cur.execute(_LOCK_SQL, params)
            cur.execute(_DECIDE_SQL, params)
            # Temporary tables have no statistics until analysed; without them
            # the planner picks nested loops that are quadratic in the run size.
            cur.execute("ANALYZE billing_due")
            cur.execute(_AMOUNTS_SQL, params)
            cur.execute(_CHARGE_SQL, params)
            cur.execute(_SUBSCRIPTIONS_SQL, params)
            cur.execute(_FEES_SQL, params)
            cur.execute(_SUMMARY_SQL)
            renewed, expired, switched, fees, total = cur.fetchone()
            cur.execute("SELECT count(*) FROM billing_due WHERE action <> 'renew'")
            (changed,) = cur.fetchone()
            cur.execute(_DROP_SQL)
        run.renewed, run.expired, run.preorders_applied, run.fees_charged = (
            renewed,
            expired,
            switched,
            fees,
        )
        run.total_charged = Decimal(total)
        run.finished_at = timezone.now()
        run.save(
            update_fields=[
                "renewed",
                "expired",
                "preorders_applied",
                "fees_charged",
                "total_charged",
                "finished_at",
            ]
        )
        if changed:
            # Notifications and NAS updates for the customers whose access
            # changed go to one job, deferred in this transaction.
            defer_in_transaction(after_billing_run, run_id=run.pk)
    log.info(
        "billing.run",
        run=run.pk,
        at=at.isoformat(),
        renewed=renewed,
        expired=expired,
        switched=switched,
        fees=fees,
    )
    return run
