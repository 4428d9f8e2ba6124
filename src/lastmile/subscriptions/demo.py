"""Deterministic demo tariffs, balances and subscriptions in a mix of states.

For demo customer ``user{N}`` a bucket ``(N·2654435761 + 97·seed) mod 100``
decides the state: 0-79 an active subscription (paid, some money left),
80-89 a subscription that expired for lack of money, 90-94 no tariff yet
(only a payment), 95-99 active with a pre-ordered next tariff.  Every ten
customers one rents a router (a periodic fee).  All money goes in as real
payments and charges with chained ledger entries, set-based (100,000
customers in a few seconds); customers that already have an account are
skipped, so a second run adds nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from lastmile.finance import keys
from lastmile.subscriptions.models import OneOffService, PeriodicFee, Tariff

DEMO_TARIFFS = [
    # name, price, down kbit/s, up kbit/s
    ("Home 50", Decimal("450.00"), 50_000, 25_000),
    ("Home 100", Decimal("650.00"), 100_000, 50_000),
    ("Turbo 300", Decimal("990.00"), 300_000, 150_000),
]

_STEPS = [
    """
    CREATE TEMP TABLE demo_money ON COMMIT DROP AS
    SELECT c.id AS customer_id, substr(c.login, 5)::bigint AS n
    FROM customers_customer c
    WHERE c.login ~ '^user[0-9]+$'
      AND NOT EXISTS (SELECT 1 FROM finance_account a WHERE a.customer_id = c.id)
    """,
    """
    ALTER TABLE demo_money ADD bucket int, ADD tariff_id bigint, ADD price numeric(14,2),
        ADD pre_tariff_id bigint, ADD pre_price numeric(14,2), ADD pay numeric(14,2),
        ADD anchor timestamptz
    """,
    "UPDATE demo_money SET bucket = ((n * 2654435761 + %(seed)s * 97) %% 100)::int",
    """
    UPDATE demo_money d SET tariff_id = t.id, price = t.price
    FROM (SELECT id, price, row_number() OVER (ORDER BY price) - 1 AS k
          FROM subscriptions_tariff WHERE name = ANY(%(names)s)) t
    WHERE t.k = d.n %% 3
    """,
    """
    UPDATE demo_money d SET pre_tariff_id = t.id, pre_price = t.price
    FROM (SELECT id, price, row_number() OVER (ORDER BY price) - 1 AS k
          FROM subscriptions_tariff WHERE name = ANY(%(names)s)) t
    WHERE d.bucket >= 95 AND t.k = (d.n + 1) %% 3
    """,
    """
    UPDATE demo_money SET
        pay = CASE WHEN bucket < 80 THEN price + (n %% 5) * 100
                   WHEN bucket < 90 THEN price
                   WHEN bucket < 95 THEN 100
                   ELSE price + pre_price END,
        anchor = CASE WHEN bucket BETWEEN 80 AND 89
                      THEN statement_timestamp() - make_interval(days => (40 + n %% 20)::int)
                      ELSE statement_timestamp() - make_interval(days => (n %% 28)::int, hours => (n %% 24)::int) END
    """,
    """
    INSERT INTO finance_account (customer_id, balance, credit_limit, updated_at)
    SELECT customer_id, pay - CASE WHEN bucket BETWEEN 90 AND 94 THEN 0 ELSE price END, 0, statement_timestamp()
    FROM demo_money
    """,
    """
    WITH p AS (
        INSERT INTO finance_payment (account_id, amount, gateway, external_id, receipt_number, state,
                                     comment, paid_at, created_at)
        SELECT customer_id, pay, 'cash', 'demo-' || n, '', 'completed', 'demo data',
               anchor - interval '1 hour', statement_timestamp()
        FROM demo_money ORDER BY customer_id
        RETURNING id, account_id, amount
    )
    INSERT INTO finance_ledgerentry (account_id, kind, amount, balance_before, balance_after, payment_id,
                                     reason, actor_label, idempotency_key, created_at)
    SELECT account_id, 'payment', amount, 0, amount, id, '', 'demo', """
    + keys.sql_payment("id")
    + """, statement_timestamp()
    FROM p
    """,
    """
    WITH s AS (
        INSERT INTO subscriptions_subscription (customer_id, tariff_id, price, state, auto_renew, anchor,
            periods, period_start, period_end, ended_at, end_reason, created_at, updated_at)
        SELECT customer_id, tariff_id, price,
               CASE WHEN bucket BETWEEN 80 AND 89 THEN 'expired' ELSE 'active' END, true, anchor, 1, anchor,
               lastmile_period_boundary(anchor, 1, 'month', NULL, %(tz)s),
               CASE WHEN bucket BETWEEN 80 AND 89 THEN lastmile_period_boundary(anchor, 1, 'month', NULL, %(tz)s) END,
               CASE WHEN bucket BETWEEN 80 AND 89 THEN 'no_funds' ELSE '' END,
               statement_timestamp(), statement_timestamp()
        FROM demo_money WHERE bucket NOT BETWEEN 90 AND 94 ORDER BY customer_id
        RETURNING id, customer_id, price
    )
    INSERT INTO finance_ledgerentry (account_id, kind, amount, balance_before, balance_after, subscription_id,
                                     reason, actor_label, idempotency_key, created_at)
    SELECT s.customer_id, 'charge', -s.price, d.pay, d.pay - s.price, s.id, '', 'demo',
           """
    + keys.sql_subscription_start("s.id")
    + """, statement_timestamp()
    FROM s JOIN demo_money d USING (customer_id)
    """,
    """
    INSERT INTO subscriptions_subscription (customer_id, tariff_id, price, state, auto_renew, periods,
        end_reason, created_at, updated_at)
    SELECT customer_id, pre_tariff_id, pre_price, 'preordered', true, 0, '', statement_timestamp(), statement_timestamp()
    FROM demo_money WHERE bucket >= 95
    """,
    """
    INSERT INTO subscriptions_feeassignment (customer_id, fee_id, price, anchor, periods_charged,
        next_charge_at, is_active, created_at, updated_at)
    SELECT d.customer_id, %(fee)s, %(fee_price)s, d.anchor, 0,
           lastmile_period_boundary(d.anchor, 1, 'month', NULL, %(tz)s), true,
           statement_timestamp(), statement_timestamp()
    FROM demo_money d WHERE d.n %% 10 = 0 AND d.bucket < 80
    """,
    "SELECT count(*) FROM demo_money",
]


def _catalogue() -> PeriodicFee:
    for name, price, down, up in DEMO_TARIFFS:
        Tariff.objects.get_or_create(
            name=name,
            defaults={
                "price": price,
                "rate_down_kbps": down,
                "rate_up_kbps": up,
                "is_public": True,
            },
        )
    OneOffService.objects.get_or_create(name="Installation", defaults={"price": Decimal("1500.00")})
    fee, _ = PeriodicFee.objects.get_or_create(
        name="Router rent", defaults={"price": Decimal("150.00")}
    )
    return fee


def load_demo(*, customers: int, seed: int) -> list[str]:
    """Three tariffs, a fee, a service; money and subscriptions for demo customers."""
    with transaction.atomic():
        fee = _catalogue()
        params: dict[str, Any] = {
            "seed": seed,
            "names": [name for name, *_ in DEMO_TARIFFS],
            "tz": settings.TIME_ZONE,
            "fee": fee.pk,
            "fee_price": fee.price,
        }
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS pg_temp.demo_money")
            for step in _STEPS:
                cur.execute(step, params)
            (count,) = cur.fetchone()
            cur.execute("DROP TABLE IF EXISTS pg_temp.demo_money")
    tariffs = ", ".join(f"{name} ({price})" for name, price, *_ in DEMO_TARIFFS)
    return [f"tariffs: {tariffs}", f"balances and subscriptions for {count} new demo customers"]
