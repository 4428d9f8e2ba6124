"""``lastmile check-ledger``: prove every balance from its ledger.

Exit status 0 when every account's entries sum to its balance and chain
without gaps; 1 (with the list of problems) otherwise.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from lastmile.finance.queries import check_ledger


class Command(BaseCommand):
    help = "Check that every account's ledger entries sum to its balance and chain without gaps."

    def handle(self, *args: Any, **options: Any) -> None:
        accounts, problems = check_ledger()
        if not problems:
            self.stdout.write(
                f"OK: {accounts} accounts, every balance equals the sum of its entries."
            )
            return
        for problem in problems:
            self.stderr.write(f"customer {problem.customer_id}: {problem.problem}")
        self.stderr.write(f"FAILED: {len(problems)} problems in {accounts} accounts.")
        sys.exit(1)
