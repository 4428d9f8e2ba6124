"""``lastmile demo``: migrate, load demo data and serve everything until Ctrl-C.

This process owns the embedded PostgreSQL (if it started it) and the child
processes it spawns; on Ctrl-C or SIGTERM it stops the children first, then
the database, so nothing is left running.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection


class Command(BaseCommand):
    help = "Run the demo: migrate, load demo data, serve web UI and worker until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--customers", type=int, default=1000)
        parser.add_argument("--no-worker", action="store_true")
        parser.add_argument("--radius-auth-port", type=int, default=1812)
        parser.add_argument("--radius-acct-port", type=int, default=1813)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.LASTMILE.demo:
            raise CommandError("Run the demo with LASTMILE_DEMO=1 (make demo does this).")
        settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
        connection.ensure_connection()  # starts (or reuses) the embedded cluster
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Loading demo data…")
        call_command("demo_data", customers=options["customers"])
        children: list[subprocess.Popen[bytes]] = []
        if not options["no_worker"]:
            children.append(self._spawn(["worker"]))
        children.append(
            self._spawn(
                [
                    "radius",
                    "--bind",
                    "127.0.0.1",
                    "--auth-port",
                    str(options["radius_auth_port"]),
                    "--acct-port",
                    str(options["radius_acct_port"]),
                ]
            )
        )
        addr, auth, acct = options["addr"], options["radius_auth_port"], options["radius_acct_port"]
        last = options["customers"]
        self.stdout.write(
            self.style.SUCCESS(
                f"\nlastmile demo is running: http://{addr}/\n"
                "  staff login:      admin / admin\n"
                f"  subscribers:      user1 .. user{last}, passwords pass1 .. pass{last}\n"
                f"  API docs:         http://{addr}/api/v1/docs\n"
                f"  RADIUS:           127.0.0.1:{auth}/{acct}, NAS secret testing123; try\n"
                "    echo 'User-Name=user1,User-Password=pass1,Message-Authenticator=0x00'"
                f" | radclient -x 127.0.0.1:{auth} auth testing123\n"
                "Press Ctrl-C to stop everything (web, worker, RADIUS, PostgreSQL).\n"
            )
        )
        try:
            call_command(
                "runserver", addr, use_reloader=False, use_threading=True, skip_checks=True
            )
        except KeyboardInterrupt:
            pass
        finally:
            self._stop(children)
            connection.close()
            self.stdout.write("Stopped.")

    def _spawn(self, args: list[str]) -> subprocess.Popen[bytes]:
        cmd = [sys.executable, "-m", "lastmile.cli", *args]
        return subprocess.Popen(cmd, env=os.environ.copy(), start_new_session=True)

    def _stop(self, children: list[subprocess.Popen[bytes]]) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
