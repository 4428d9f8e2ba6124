"""Where an embedded cluster lives and who may reach it.

Run by an ordinary user, the data lives in the configured directory.  Run by
root, it lives under ``root_dir``, owned by the system user the server runs
as, and the configured directory becomes a symlink to it (see
docs/decisions/0005-embedded-postgres-as-root.md).  Starting and stopping the
server is :mod:`lastmile.db.embedded`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pwd
import shutil
import stat
import subprocess
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import structlog

from lastmile.db.host import _SERVER_BIN, _bin_dir, _copy_install, _make_dir, _traversable_by

log = structlog.get_logger("lastmile.db.embedded")

SYSTEM_USER = "embedded_postgres"
DEFAULT_ROOT_DIR = Path("/var/lib/lastmile/embedded-postgres")
WHAT_ELSE = (
    "Or point lastmile at a PostgreSQL server you run yourself with "
    "LASTMILE_DATABASE_URL=postgresql://user:password@host:port/dbname."
)


class EmbeddedClusterError(RuntimeError):
    """The embedded cluster cannot be used; the message says why and what to do."""


class ClusterLayout:
    """The folders, files and system user of one cluster.

    ``link`` is where the user asked for the cluster; ``data_dir`` is where
    its data really is (the same folder unless run by root; an existing
    cluster directory from an older layout is used where it is).
    """

    def __init__(self, data_dir: Path, root_dir: Path = DEFAULT_ROOT_DIR) -> None:
        # Resolve the parent only: data_dir itself may be our symlink.
        self.link = data_dir.absolute().parent.resolve() / data_dir.name
        self.root_dir = root_dir.absolute()
        self.password_file = self.link.parent / f".{self.link.name}.password"
        self.lock_file = self.link.parent / f".{self.link.name}.lock"
        self.as_root = os.geteuid() == 0
        self.data_dir = self._real_data_dir()

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the cluster's lock file: one process at a time starts or reuses it."""
        try:
            self.link.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.lock_file, "a")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise EmbeddedClusterError(
                f"cannot create {self.lock_file}: {exc.strerror}. Run lastmile from a "
                f"folder you can write to, or set LASTMILE_PG_DIR. {WHAT_ELSE}"
            ) from exc
        with fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def prepare_root_layout(self) -> None:
        """Make root_dir, the binaries and the cluster folder reachable by the system user."""
        user = self.system_user()
        for folder in reversed(self.root_dir.parents):
            _make_dir(folder, 0o755)
        _make_dir(self.root_dir, 0o700, owner=user)
        self._check_reachable(self.root_dir)
        self.server_bin_dir()
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

    def remove_files(self) -> None:
        """Delete the data (wherever it lives), the symlink and the password file."""
        if self.data_dir != self.link:
            shutil.rmtree(self.data_dir.parent, ignore_errors=True)
        if self.link.is_symlink():
            self.link.unlink()
        else:
            shutil.rmtree(self.link, ignore_errors=True)
        self.password_file.unlink(missing_ok=True)

    def server_bin_dir(self) -> Path:
        """Where initdb/pg_ctl/postgres are run from."""
        if not self.as_root:
            return _bin_dir()
        version = metadata.version("embedded-postgres")
        size = (_bin_dir() / "postgres").stat().st_size
        target = self.root_dir / f"pginstall-{version}-{size}"
        if not (target / _SERVER_BIN / "postgres").exists():
            _copy_install(target)
        return target / _SERVER_BIN

    def system_user(self) -> pwd.struct_passwd:
        """The user the server runs as under root, created on first use."""
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
                f"ordinary user. {WHAT_ELSE}"
            ) from exc
        return pwd.getpwnam(SYSTEM_USER)

    def _real_data_dir(self) -> Path:
        if not self.as_root or self._is_cluster_in_place():
            return self.link
        key = hashlib.sha256(str(self.link).encode()).hexdigest()[:12]
        return self.root_dir / "clusters" / f"{self.link.name}-{key}" / "data"

    def _is_cluster_in_place(self) -> bool:
        """A cluster an older lastmile created inside the project: used where it is."""
        return not self.link.is_symlink() and (self.link / "PG_VERSION").exists()

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
                    f"{WHAT_ELSE}"
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

    def _check_reachable(self, path: Path) -> None:
        user = self.system_user()
        for parent in [path, *path.parents]:
            if not parent.exists():
                continue
            if not _traversable_by(parent, user.pw_uid, user.pw_gid):
                mode = stat.S_IMODE(parent.stat().st_mode)
                raise EmbeddedClusterError(
                    f"the PostgreSQL system user {SYSTEM_USER!r} cannot reach {path}: "
                    f"{parent} has mode {mode:04o}. Set LASTMILE_PG_ROOT_DIR to a folder "
                    f"whose parents others may traverse (the default is {DEFAULT_ROOT_DIR}), "
                    f"or remove {self.link} to let lastmile create it there. {WHAT_ELSE}"
                )
