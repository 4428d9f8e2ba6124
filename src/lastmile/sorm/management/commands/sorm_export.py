"""``lastmile sorm-export [--full] [--as-of TIME] [--no-upload] [--only a,b]``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lastmile.sorm import services
from lastmile.sorm.filetypes import REGISTRY


def _moment(text: str) -> datetime:
    parsed = parse_datetime(text)
    if parsed is None:
        raise CommandError(
            f"--as-of: {text!r} is not a date and time (use e.g. 2026-12-01T13:00:00+03:00)."
        )
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


class Command(BaseCommand):
    help = (
        "Export subscriber data for SORM: incremental since the last run (default), "
        "--full, or the state --as-of a past moment rebuilt from the journal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="Full state now.")
        parser.add_argument(
            "--as-of", help="Rebuild the full state of this moment (ISO 8601; not uploaded)."
        )
        parser.add_argument("--no-upload", action="store_true", help="Only store the files.")
        parser.add_argument("--upload", action="store_true", help="Upload an --as-of rebuild.")
        parser.add_argument("--only", default="", help="Comma-separated file types.")
        parser.add_argument("--retry", action="store_true", help="Only re-send failed files now.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["retry"]:
            sent = services.deliver_pending()
            self.stdout.write(f"re-sent {sent} file(s)")
            return
        only = [c.strip() for c in options["only"].split(",") if c.strip()]
        unknown = set(only) - set(REGISTRY)
        if unknown:
            raise CommandError(f"unknown file types: {', '.join(sorted(unknown))}")
        as_of = _moment(options["as_of"]) if options["as_of"] else None
        upload: bool | None = None
        if options["no_upload"]:
            upload = False
        elif options["upload"]:
            upload = True
        try:
            run = services.run_export(
                full=options["full"], as_of=as_of, upload=upload, only=only or None
            )
        except services.ExportBusy as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"SORM export {run.pk} ({run.kind}) as of {run.as_of.isoformat()}: {run.state}"
        )
        for export_file in run.files.order_by("stage", "id"):
            self.stdout.write(
                f"  {export_file.remote_path}: {export_file.rows} rows, "
                f"{export_file.rejected} refused, {export_file.state}, sha256 {export_file.sha256}"
            )
