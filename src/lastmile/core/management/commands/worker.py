"""``lastmile worker``: the procrastinate worker (jobs and periodic jobs)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run background jobs and periodic jobs (procrastinate worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--one-shot", action="store_true", help="Run what is queued, then exit."
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=4,
            help="Jobs run at once: a long NAS job must not hold back a boundary's billing run.",
        )
        parser.add_argument("--queues", default="", help="Comma-separated queues (default: all).")

    def handle(self, *args: Any, **options: Any) -> None:
        # Scheduled jobs (a billing run at a period boundary, a CoA retry) start
        # at the next poll: poll every second so they start on time.
        argv = [
            "worker",
            f"--concurrency={options['concurrency']}",
            f"--fetch-job-polling-interval={settings.LASTMILE.worker_poll_interval_s}",
        ]
        if options["one_shot"]:
            argv.append("--one-shot")
        if options["queues"]:
            argv.append(f"--queues={options['queues']}")
        call_command("procrastinate", *argv)
