"""``lastmile worker``: the procrastinate worker (jobs and periodic jobs)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run background jobs and periodic jobs (procrastinate worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--one-shot", action="store_true", help="Run what is queued, then exit."
        )
        parser.add_argument("--concurrency", type=int, default=1)
        parser.add_argument("--queues", default="", help="Comma-separated queues (default: all).")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = ["worker", f"--concurrency={options['concurrency']}"]
        if options["one_shot"]:
            argv.append("--one-shot")
        if options["queues"]:
            argv.extend(q.strip() for q in options["queues"].split(",") if q.strip())
        call_command("procrastinate", *argv)
