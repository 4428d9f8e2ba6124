"""Set-based ledger statements, for callers that move money for many accounts at
once (the billing run). Finance owns every ledger write: the caller prepares a
table of what is due and asks this module for the statements that lock the
accounts, read the funds available and write the entries; the rules (lock order,
credit in force, balance before/after, idempotency keys) stay here.

The statements are SQL text with named parameters (``%(at)s``, ``%(run)s``,
``%(at_key)s``) for the caller's cursor; they expect the columns each function
documents.
"""

from __future__ import annotations

from lastmile.finance import keys


def lock_accounts_sql(customers_sql: str) -> str:
    """Create the missing accounts of the customers ``customers_sql`` selects (one
    ``customer_id`` column) and lock them FOR UPDATE in customer-id order, the order
    every payment locks in (``finance.locks``). Returns one row: the count."""
    return f"""
WITH due_customers AS (
    {customers_sql}
), created AS (
    INSERT INTO finance_account (customer_id, balance, credit_limit, updated_at)
    SELECT customer_id, 0, 0, statement_timestamp() FROM due_customers
    ON CONFLICT (customer_id) DO NOTHING
)
SELECT count(*) FROM (
    SELECT a.customer_id FROM finance_account a JOIN due_customers d USING (customer_id)
    ORDER BY a.customer_id FOR UPDATE OF a
) locked
"""


def available_funds_sql(account: str = "a", at: str = "%(at)s") -> str:
    """``finance.services.available_funds`` as an SQL expression over the
    ``finance_account`` row aliased ``account``: the balance plus the credit
    limit while the credit is in force at ``at``."""
    return (
        f"{account}.balance + CASE WHEN {account}.credit_until IS NULL "
        f"OR {account}.credit_until > {at} THEN {account}.credit_limit ELSE 0 END"
    )


def charge_subscriptions_sql(due_table: str) -> str:
    """Charge the subscriptions of ``due_table``: one statement moves the balances,
    the same one writes the entries.

    ``due_table`` columns: ``customer_id``, ``amount`` (>= 0; 0 charges nothing),
    ``charged_sub`` (the subscription charged), ``action`` ('renew' or 'switch'),
    ``new_periods`` (the renewed period's number). Parameters: ``%(run)s`` (the
    billing run id), ``%(at_key)s`` (the run moment, ``at.isoformat()``).
    """
    key = (
        f"CASE WHEN action = 'switch' THEN {keys.sql_subscription_start('charged_sub')} "
        f"ELSE {keys.sql_subscription_renewal('charged_sub', 'new_periods', '%(at_key)s')} END"
    )
    return f"""
WITH moved AS (
    UPDATE finance_account a SET balance = a.balance - d.amount
    FROM {due_table} d
    WHERE a.customer_id = d.customer_id AND d.amount > 0
    RETURNING a.customer_id, a.balance AS balance_after, d.amount, d.charged_sub, d.new_periods, d.action
)
INSERT INTO finance_ledgerentry (account_id, kind, amount, balance_before, balance_after,
    subscription_id, billing_run_id, reason, actor_label, idempotency_key, created_at)
SELECT customer_id, 'charge', -amount, balance_after + amount, balance_after,
    charged_sub, %(run)s, '', 'billing', {key}, statement_timestamp()
FROM moved
"""


def charge_fees_sql(fees_table: str) -> str:
    """Charge the periodic fees of ``fees_table``, even into debt; several fees of
    one customer chain their balances in ``id`` order.

    ``fees_table`` columns: ``id`` (the fee assignment), ``customer_id``,
    ``amount``, ``periods_charged`` (before this charge), ``running`` (the sum of the
    customer's amounts up to this row, by id) and ``total`` (the customer's sum).
    Parameter: ``%(run)s``.
    """
    key = keys.sql_fee_period("f.id", "(f.periods_charged + 1)")
    return f"""
WITH moved AS (
    UPDATE finance_account a SET balance = a.balance - t.total
    FROM (SELECT DISTINCT customer_id, total FROM {fees_table}) t
    WHERE a.customer_id = t.customer_id
    RETURNING a.customer_id, a.balance + t.total AS balance_start
)
INSERT INTO finance_ledgerentry (account_id, kind, amount, balance_before, balance_after,
    fee_id, billing_run_id, reason, actor_label, idempotency_key, created_at)
SELECT f.customer_id, 'charge', -f.amount, m.balance_start - f.running + f.amount, m.balance_start - f.running,
    f.id, %(run)s, '', 'billing', {key}, statement_timestamp()
FROM {fees_table} f JOIN moved m USING (customer_id)
"""
