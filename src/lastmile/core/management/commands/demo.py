"""``lastmile demo``: migrate, load demo data and serve everything until Ctrl-C.

The web UI is served the way production serves it: gunicorn with the
production settings (WhiteNoise over collected static files, no DEBUG).
Django's development server was not up to a demo: it leaked database
connections under bursts of requests and reset connections beyond its
listen backlog of 5.

This process owns the embedded PostgreSQL (if it started it) and the child
processes it spawns (web, worker, RADIUS); on Ctrl-C or SIGTERM it stops the
children first, then the database, so nothing is left running.  If a child
dies on its own (the port is taken), the demo stops everything and says so.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection


class Command(BaseCommand):
    help = "Run the demo: migrate, load demo data, serve web UI and worker until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes.")
        parser.add_argument(
            "--web-threads", type=int, default=4, help="Threads per gunicorn worker."
        )
        parser.add_argument("--customers", type=int, default=1000)
        parser.add_argument("--no-worker", action="store_true")
        parser.add_argument("--radius-auth-port", type=int, default=1812)
        parser.add_argument("--radius-acct-port", type=int, default=1813)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.LASTMILE.demo:
            raise CommandError("Run the demo with LASTMILE_DEMO=1 (make demo does this).")
        self.stdout.write("Collecting static files…")
        call_command("collectstatic", interactive=False, verbosity=0)
        connection.ensure_connection()  # starts (or reuses) the embedded cluster
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Loading demo data…")
        call_command("demo_data", customers=options["customers"])
        children: dict[str, subprocess.Popen[bytes]] = {}
        try:
            self._start_children(children, options)
            self._print_banner(options)
            self._wait(children)
        except KeyboardInterrupt:
            pass
        finally:
            self._stop(children)
            connection.close()
            self.stdout.write("Stopped.")

    def _start_children(
        self, children: dict[str, subprocess.Popen[bytes]], options: dict[str, Any]
    ) -> None:
        children["web"] = self._spawn(
            [
                "-m",
                "gunicorn",
                "lastmile.wsgi:application",
                "--bind",
                options["addr"],
                "--workers",
                str(options["web_workers"]),
                # Threads are pooled, so database connections stay bounded
                # (workers x threads) however many requests arrive at once.
                "--worker-class",
                "gthread",
                "--threads",
                str(options["web_threads"]),
                "--graceful-timeout",
                "10",
                # No runtime-control socket: its default path is per user, so
                # two demos on one machine would fight over it.
                "--no-control-socket",
            ]
        )
        if not options["no_worker"]:
            children["worker"] = self._spawn(["-m", "lastmile.cli", "worker"])
        children["devices"] = self._spawn_simulators()
        children["radius"] = self._spawn(
            [
                "-m",
                "lastmile.cli",
                "radius",
                "--bind",
                "127.0.0.1",
                "--auth-port",
                str(options["radius_auth_port"]),
                "--acct-port",
                str(options["radius_acct_port"]),
            ]
        )

    def _print_banner(self, options: dict[str, Any]) -> None:
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
                "  devices:          live switches and OLTs: snmpsim on 127.0.0.1:16161, ZTE CLI :16023\n"
                "Press Ctrl-C to stop everything (web, worker, RADIUS, PostgreSQL).\n"
            )
        )

    def _wait(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        """Run until Ctrl-C or SIGTERM (they arrive as exceptions); a child that
        exits on its own ends the demo."""
        while True:
            for name, child in children.items():
                code = child.poll()
                if code is not None:
                    raise CommandError(f"The demo's {name} process exited (code {code}).")
            time.sleep(0.5)

    def _spawn_simulators(self) -> subprocess.Popen[bytes]:
        """The demo's switches and OLTs (lastmile.devices.demo points at them):
        the drivers' snmpsim and ZTE CLI peer."""
        return self._spawn(["-m", "lastmile.drivers.sim.demo"])

    def _spawn(self, args: list[str]) -> subprocess.Popen[bytes]:
        # A session of its own: the terminal's Ctrl-C reaches only us, and we
        # stop the children in order (and can kill a whole process group).
        return subprocess.Popen(
            [sys.executable, *args], env=os.environ.copy(), start_new_session=True
        )

    def _stop(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        for child in children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=15)
            # The group too: gunicorn's workers, should its master be gone.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=5)
