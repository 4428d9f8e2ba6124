"""A newcomer's clone works wherever it sits (issue 12).

Each scenario clones this repository (its committed HEAD) into a place where the
old layout failed, installs it with the Makefile, starts the demo until the login
page answers, stops it with Ctrl-C, runs a short suite inside the clone, and then
checks that nothing is left running and that no permission of any parent folder
changed:

- as root, in a fresh ``mkdtemp`` folder (mode 700) under a path with a space;
- as an ordinary user, in that user's own home (mode 700).

The ordinary user's virtualenv is built by root from root's package cache and then
handed to the user (``chown``): the user has no uv and no cache of its own here, and
what is under test is where the embedded cluster runs, not the installer.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROBE_USER = "lastmile-probe"
SHORT_SUITE = [
    "tests/db/test_embedded.py::test_start_reuse_and_stop",
    "tests/finance/test_ledger.py::test_payment_credits_balance_and_writes_one_entry",
]

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(os.geteuid() != 0, reason="creates a user and folders owned by root"),
]


def _uv() -> str:
    found = shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
    assert Path(found).exists(), "uv is installed by `make deps`"
    return found


def _free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _permissions(path: Path) -> dict[str, tuple[int, int, int]]:
    return {
        str(p): (p.stat().st_mode, p.stat().st_uid, p.stat().st_gid) for p in [path, *path.parents]
    }


def _processes_mentioning(needles: list[str]) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(needle in cmdline for needle in needles):
            found.append(f"{entry.name}: {cmdline}")
    return found


def _clone(target: Path) -> None:
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(target)], check=True)


def _install(clone: Path, *, python: str | None = None) -> None:
    env = {**os.environ, "UV": _uv()}
    if python:
        env["UV_PYTHON"] = python
    subprocess.run(
        ["make", "--no-print-directory", "-C", str(clone), "deps", f"UV={_uv()}"],
        env=env, check=True, timeout=600,
    )  # fmt: skip


def _as(user: str | None, args: list[str]) -> list[str]:
    if not user:
        return args
    runuser = shutil.which("runuser", path="/usr/sbin:/sbin:/usr/bin:/bin")
    assert runuser, "util-linux's runuser is part of every Debian system"
    return [runuser, "-u", user, "--", *args]


def _env(clone: Path, user: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LASTMILE_", "PYTEST_"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["LASTMILE_DEMO"] = "1"
    if user:
        home = pwd.getpwnam(user).pw_dir
        env.update(HOME=home, USER=user, LOGNAME=user, PATH="/usr/local/bin:/usr/bin:/bin")
    return env


def _demo_starts_and_stops(clone: Path, user: str | None) -> str:
    port = _free_port()
    args = [
        str(clone / ".venv" / "bin" / "lastmile"), "demo", "--customers", "5",
        "--addr", f"127.0.0.1:{port}",
        "--radius-auth-port", str(_free_port(socket.SOCK_DGRAM)),
        "--radius-acct-port", str(_free_port(socket.SOCK_DGRAM)),
    ]  # fmt: skip
    proc = subprocess.Popen(
        _as(user, args), cwd=clone, env=_env(clone, user),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        status = None
        while status is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as r:
                    status = r.status
            except OSError:
                time.sleep(0.5)
        assert status == 200, f"the demo did not serve its login page: {proc.poll()}"
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        output, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            output = proc.communicate()[0]
    assert "Stopped." in output, output
    return output


def _short_suite(clone: Path, user: str | None) -> None:
    proc = subprocess.run(
        _as(user, [str(clone / ".venv" / "bin" / "pytest"), "-q", "-p", "no:randomly", *SHORT_SUITE]),
        cwd=clone, env=_env(clone, user), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(SHORT_SUITE)} passed" in proc.stdout, proc.stdout


def _real_data_dirs(clone: Path) -> list[str]:
    dirs = []
    for name in ("pg", "pg-test"):
        link = clone / "var" / name
        dirs.append(os.readlink(link) if link.is_symlink() else str(link))
    return dirs


def _clean(clone: Path, user: str | None) -> None:
    subprocess.run(
        _as(user, ["make", "--no-print-directory", "-C", str(clone), "clean-db"]),
        env=_env(clone, user), check=True, timeout=300,
    )  # fmt: skip


def _run_scenario(clone: Path, user: str | None, watched: Path) -> None:
    before = _permissions(watched)
    _demo_starts_and_stops(clone, user)
    _short_suite(clone, user)
    data_dirs = _real_data_dirs(clone)
    leftovers = _processes_mentioning([str(clone), *data_dirs])
    assert leftovers == [], f"left running: {leftovers}"
    _clean(clone, user)
    for data_dir in data_dirs:
        assert not Path(data_dir).exists(), f"{data_dir} outlived make clean-db"
    assert _permissions(watched) == before, "a parent folder's permissions changed"


def test_root_clone_in_a_private_folder_under_a_path_with_a_space():
    base = Path(tempfile.mkdtemp(prefix="lastmile-"))
    assert base.stat().st_mode & 0o777 == 0o700
    clone = base / "my projects" / "lastmile"
    try:
        clone.parent.mkdir()
        _clone(clone)
        _install(clone)
        _run_scenario(clone, None, clone.parent)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_ordinary_user_clone_in_a_private_home():
    created = False
    try:
        pwd.getpwnam(PROBE_USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", PROBE_USER], check=True)
        created = True
    user = pwd.getpwnam(PROBE_USER)
    home = Path(user.pw_dir)
    os.chmod(home, 0o700)
    clone = home / "lastmile"
    try:
        shutil.rmtree(clone, ignore_errors=True)
        _clone(clone)
        # The machine's Debian Python: root's own interpreter lives in root's home.
        _install(clone, python="/usr/bin/python3.11")
        subprocess.run(["chown", "-R", f"{user.pw_uid}:{user.pw_gid}", str(clone)], check=True)
        _run_scenario(clone, PROBE_USER, home)
    finally:
        shutil.rmtree(clone, ignore_errors=True)
        if created:
            subprocess.run(["userdel", "--remove", PROBE_USER], check=False, capture_output=True)
