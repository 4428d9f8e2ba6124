"""Row-lock recipes for accounts (always in primary-key order).

Every code path that changes money locks the account row first, then
touches subscriptions or payments; the billing run locks many accounts in
customer-id order.  One order everywhere means no deadlocks.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from lastmile.finance.models import Account


def ensure_accounts(customer_ids: Iterable[int]) -> None:
    """Create missing accounts (balance 0) without racing a concurrent creator."""
    ids = sorted(set(customer_ids))
    if not ids:
        return
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO finance_account (customer_id, balance, credit_limit, updated_at) "
            "SELECT unnest(%s::bigint[]), 0, 0, statement_timestamp() "
            "ON CONFLICT (customer_id) DO NOTHING",
            [ids],
        )


def lock_account(customer_id: int) -> Account:
    """The customer's account, created if missing, locked FOR UPDATE until commit."""
    ensure_accounts([customer_id])
    return Account.objects.select_for_update().get(pk=customer_id)


def lock_accounts(customer_ids: Iterable[int]) -> dict[int, Account]:
    ids = sorted(set(customer_ids))
    ensure_accounts(ids)
    return {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
