"""``lastmile radius [--auth-port N --acct-port N --bind ADDR]``."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from lastmile.aaa.server import ServerConfig, run_server
from lastmile.db.runtime import database_url


class Command(BaseCommand):
    help = "Run the RADIUS server (authentication and accounting over UDP)."

    def add_arguments(self, parser: CommandParser) -> None:
        conf = settings.LASTMILE
        parser.add_argument("--bind", default=conf.radius_bind)
        parser.add_argument("--auth-port", type=int, default=conf.radius_auth_port)
        parser.add_argument("--acct-port", type=int, default=conf.radius_acct_port)
        parser.add_argument("--writers", type=int, default=conf.radius_writers)
        parser.add_argument(
            "--reuse-port",
            action="store_true",
            help="SO_REUSEPORT: several processes on one machine share the ports.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        conf = settings.LASTMILE
        config = ServerConfig(
            dsn=database_url(),
            bind=options["bind"],
            auth_port=options["auth_port"],
            acct_port=options["acct_port"],
            interim_interval_s=conf.radius_interim_interval_s,
            session_timeout_s=conf.radius_session_timeout_s,
            guest_session_timeout_s=conf.radius_guest_session_timeout_s,
            split_rate=conf.radius_split_rate,
            lease_time_s=conf.lease_time_s,
            lease_hold_after_stop_s=conf.lease_hold_after_stop_s,
            writers=options["writers"],
            commit_delay_s=conf.radius_commit_delay_ms / 1000,
            dup_cache_s=conf.radius_dup_cache_s,
            reuse_port=options["reuse_port"],
            simultaneous_use=conf.radius_simultaneous_use,
        )

        def ready() -> None:
            self.stdout.write(
                f"lastmile radius ready on {config.bind} "
                f"auth={config.auth_port} acct={config.acct_port}"
            )
            sys.stdout.flush()

        try:
            import uvloop

            uvloop.run(run_server(config, on_ready=ready))
        except ImportError:  # pragma: no cover - uvloop is a dependency
            asyncio.run(run_server(config, on_ready=ready))
