"""Read selectors of the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection


@dataclass(frozen=True)
class LedgerProblem:
    customer_id: int
    problem: str


LEDGER_CHECK_SQL = """
WITH chained AS (
    SELECT account_id, id, amount, balance_before, balance_after,
           lag(balance_after) OVER (PARTITION BY account_id ORDER BY id) AS previous_after,
           row_number() OVER (PARTITION BY account_id ORDER BY id) AS n
    FROM finance_ledgerentry
),
chain_breaks AS (
    SELECT account_id, min(id) AS entry_id FROM chained
    WHERE (n = 1 AND balance_before <> 0) OR (n > 1 AND balance_before <> previous_after)
       OR balance_after <> balance_before + amount
    GROUP BY account_id
),
sums AS (
    SELECT a.customer_id, a.balance, coalesce(sum(e.amount), 0) AS total,
           (SELECT e2.balance_after FROM finance_ledgerentry e2
             WHERE e2.account_id = a.customer_id ORDER BY e2.id DESC LIMIT 1) AS last_after
    FROM finance_account a LEFT JOIN finance_ledgerentry e ON e.account_id = a.customer_id
    GROUP BY a.customer_id, a.balance
)
SELECT customer_id, 'balance ' || balance || ' but entries sum to ' || total FROM sums WHERE balance <> total
UNION ALL
SELECT customer_id, 'balance ' || balance || ' but the last entry ends at ' || last_after
  FROM sums WHERE last_after IS NOT NULL AND last_after <> balance
UNION ALL
SELECT account_id, 'entry ' || entry_id || ' does not continue the previous balance' FROM chain_breaks
ORDER BY 1
"""


class LedgerCheck(NamedTuple):
    accounts: int
    problems: list[LedgerProblem]


def check_ledger() -> LedgerCheck:
    """Prove for every account: sum of entries = balance, entries chain without gaps.
    Returns (accounts checked, problems)."""
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM finance_account")
        (accounts,) = cur.fetchone()
        cur.execute(LEDGER_CHECK_SQL)
        problems = [LedgerProblem(int(cid), str(text)) for cid, text in cur.fetchall()]
    return LedgerCheck(int(accounts), problems)
