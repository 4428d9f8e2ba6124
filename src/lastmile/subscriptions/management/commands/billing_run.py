"""``lastmile billing-run [--at DATETIME]``: one set-based billing pass."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lastmile.subscriptions.billing import run_billing


def _moment(text: str | None) -> datetime:
    if not text:
        return timezone.now()
    parsed = parse_datetime(text)
    if parsed is None:
        raise CommandError(
            f"--at: {text!r} is not a date and time (use e.g. 2026-12-01T00:00:00+03:00)."
        )
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


class Command(BaseCommand):
    help = "Renew due subscriptions, expire unpaid ones, apply pre-orders, charge periodic fees."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--at", help="Billing moment (ISO 8601); default now. Local time if no offset."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = run_billing(at=_moment(options.get("at")))
        self.stdout.write(
            f"billing run {run.pk} at {run.at.isoformat()}: renewed {run.renewed}, "
            f"expired {run.expired}, pre-orders applied {run.preorders_applied}, "
            f"fees charged {run.fees_charged}, total {run.total_charged}"
        )
