"""``lastmile match-addresses``: link customers' (and devices') typed addresses
to the registry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from lastmile.parties.matching import match_all_addresses


class Command(BaseCommand):
    help = "Match customers' and devices' free-text addresses against the address registry."

    def handle(self, *args: Any, **options: Any) -> None:
        result = match_all_addresses(report=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(f"{result.matched} matched, {result.unmatched} to review")
        )
