"""The ``lastmile`` console script: Django's manage.py commands plus ours.

Our commands are spelled with dashes on the command line (``demo-data``,
``billing-run``) and live as Django management commands with underscores.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Turn SIGTERM into a normal exit so atexit handlers run (the embedded
    # PostgreSQL started by this process is stopped cleanly).
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lastmile.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    # Ctrl-C must work even when started from a shell that ignores SIGINT
    # for background jobs (the process would otherwise inherit SIG_IGN).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from lastmile.conf import ConfigurationError
    from lastmile.db.embedded import EmbeddedClusterError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv)
    except ConfigurationError as exc:
        print(f"lastmile: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    except EmbeddedClusterError as exc:
        print(f"lastmile: cannot start the embedded PostgreSQL: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


if __name__ == "__main__":
    main()
