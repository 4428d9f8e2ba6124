"""``lastmile demo-data``: deterministic demo data (design.md section 6)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from lastmile.core.demo import load_demo_data


class Command(BaseCommand):
    help = "Load deterministic demo data (staff admin/admin in demo mode only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=100)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.LASTMILE.demo:
            raise CommandError(
                "demo-data creates well-known passwords; run it only with LASTMILE_DEMO=1."
            )
        with transaction.atomic():
            summary = load_demo_data(customers=options["customers"], seed=options["seed"])
        for line in summary:
            self.stdout.write(line)
