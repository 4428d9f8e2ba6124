"""``lastmile import-gar PATH [--region 77]``: load a GAR/FIAS region extract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lastmile.addresses.gar import import_gar


class Command(BaseCommand):
    help = "Import a GAR (FIAS) XML extract of one region (a folder or one XML file)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--region", default="", help="Region code (default: folder name).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        try:
            run = import_gar(path, region_code=options["region"], report=self.stdout.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"done: {run.objects_read} read, {run.objects_saved} saved")
        )
