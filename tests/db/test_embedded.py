"""The embedded PostgreSQL lifecycle: start, reuse, stop, and stop on exit of
the command that started it (also on SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from lastmile.db.embedded import EmbeddedCluster, remove_cluster

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cluster_dir():  # type: ignore[no-untyped-def]
    path = REPO / "var" / "test-clusters" / uuid.uuid4().hex[:8] / "pg"
    yield path
    remove_cluster(path)


def _postmaster_pid(data_dir: Path) -> int | None:
    pidfile = data_dir / "postmaster.pid"
    if not pidfile.exists():
        return None
    return int(pidfile.read_text().splitlines()[0])


def _alive(pid: int, grace_s: float = 10.0) -> bool:
    """Whether the process still exists after a short grace for exit and reaping."""
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.05)
    return True


def test_start_reuse_and_stop(cluster_dir):
    first = EmbeddedCluster(cluster_dir)
    address = first.ensure_running()
    assert first.started_here
    with psycopg.connect(address.url("postgres")) as conn:
        assert conn.execute("SHOW fsync").fetchone() == ("on",)
        assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)

    second = EmbeddedCluster(cluster_dir)
    reused = second.ensure_running()
    assert not second.started_here
    assert reused.port == address.port

    pid = _postmaster_pid(cluster_dir)
    assert pid is not None and _alive(pid, grace_s=0.1)
    first.stop()
    assert _postmaster_pid(cluster_dir) is None
    assert not _alive(pid)
    assert not second.is_running()


def test_password_is_required(cluster_dir):
    address = EmbeddedCluster(cluster_dir).ensure_running()
    wrong = f"postgresql://postgres:nope@127.0.0.1:{address.port}/postgres"
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(wrong, connect_timeout=5)
    password_file = cluster_dir.parent / ".pg.password"
    assert oct(password_file.stat().st_mode & 0o777) == "0o600"


def test_restart_after_crash_recovers(cluster_dir):
    cluster = EmbeddedCluster(cluster_dir)
    address = cluster.ensure_running()
    with psycopg.connect(address.url("postgres"), autocommit=True) as conn:
        conn.execute("CREATE TABLE t (x int)")
        conn.execute("INSERT INTO t VALUES (42)")
    pid = _postmaster_pid(cluster_dir)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert not _alive(pid)
    again = EmbeddedCluster(cluster_dir)
    address = again.ensure_running()
    assert again.started_here
    with psycopg.connect(address.url("postgres")) as conn:
        assert conn.execute("SELECT x FROM t").fetchone() == (42,)
    again.stop()


def _lastmile(cluster_dir: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "LASTMILE_DEMO": "1", "LASTMILE_PG_DIR": str(cluster_dir)}
    env.pop("LASTMILE_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "lastmile.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_command_that_started_the_cluster_stops_it_on_exit(cluster_dir):
    proc = _lastmile(
        cluster_dir,
        "shell",
        "-v",
        "0",
        "-c",
        "from django.db import connection; connection.ensure_connection(); print('up')",
    )
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "up" in out
    assert _postmaster_pid(cluster_dir) is None, "the cluster outlived the command that started it"


def test_command_leaves_a_cluster_it_did_not_start_running(cluster_dir):
    owner = EmbeddedCluster(cluster_dir)
    owner.ensure_running()
    proc = _lastmile(
        cluster_dir,
        "shell",
        "-v",
        "0",
        "-c",
        "from django.db import connection; connection.ensure_connection()",
    )
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert owner.is_running()
    owner.stop()


def test_sigterm_stops_the_cluster_cleanly(cluster_dir):
    proc = _lastmile(
        cluster_dir,
        "shell",
        "-v",
        "0",
        "-c",
        "from django.db import connection; connection.ensure_connection(); print('up', flush=True); import time; time.sleep(60)",
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "up", proc.stderr.read() if proc.stderr else ""
    pid = _postmaster_pid(cluster_dir)
    assert pid is not None
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert _postmaster_pid(cluster_dir) is None
    assert not _alive(pid)


def _proc_status(pid: int) -> dict[str, str]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def _modes(path: Path) -> list[tuple[str, int, int, int]]:
    """Mode, owner and group of a path and of every parent up to /."""
    return [
        (str(p), p.stat().st_mode, p.stat().st_uid, p.stat().st_gid) for p in [path, *path.parents]
    ]


root_only = pytest.mark.skipif(os.geteuid() != 0, reason="the root layout applies to root only")


@root_only
def test_as_root_the_cluster_runs_under_a_private_parent_with_its_own_user_and_group(tmp_path):
    import pwd

    private = tmp_path / "home of root"
    private.mkdir(mode=0o700)
    os.chmod(private, 0o700)
    before = _modes(private)
    data_dir = private / "lastmile" / "var" / "pg"
    cluster = EmbeddedCluster(data_dir)
    try:
        address = cluster.ensure_running()
        with psycopg.connect(address.url("postgres")) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        assert data_dir.is_symlink(), "as root the project keeps a symlink to the real data"
        assert (data_dir / "PG_VERSION").exists()
        user = pwd.getpwnam("embedded_postgres")
        pid = _postmaster_pid(data_dir)
        assert pid is not None
        status = _proc_status(pid)
        assert status["Uid"].split()[0] == str(user.pw_uid)
        assert status["Gid"].split() == [str(user.pw_gid)] * 4, "no root group in the server"
        assert status["Groups"] == "", "no supplementary groups in the server"
    finally:
        remove_cluster(data_dir)
    assert _modes(private) == before, "a parent's permissions changed"
    assert not data_dir.exists() and not data_dir.is_symlink()


@root_only
def test_a_removed_project_s_cluster_is_cleaned_up_by_the_next_start(tmp_path):
    gone = tmp_path / "gone" / "var" / "pg"
    first = EmbeddedCluster(gone)
    first.ensure_running()
    first.stop()
    orphan_home = first.data_dir.parent
    assert orphan_home.exists()
    import shutil

    shutil.rmtree(tmp_path / "gone")  # the clone is deleted, its cluster is not
    kept = tmp_path / "kept" / "var" / "pg"
    try:
        EmbeddedCluster(kept).ensure_running()
        assert not orphan_home.exists()
    finally:
        remove_cluster(kept)


def test_a_cluster_that_cannot_start_gives_one_clear_message(tmp_path):
    junk = tmp_path / "var" / "pg"
    junk.mkdir(parents=True)
    (junk / "notes.txt").write_text("not a cluster")
    proc = _lastmile(junk, "migrate")
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("lastmile:")]
    assert len(lines) == 1, err
    assert "cannot start the embedded PostgreSQL" in lines[0]
    assert "LASTMILE_DATABASE_URL" in lines[0], "the message says what to do"


def test_the_test_suite_stops_at_once_when_its_cluster_cannot_start(tmp_path):
    junk = tmp_path / "var" / "pg"
    junk.mkdir(parents=True)
    (junk / "notes.txt").write_text("not a cluster")
    env = {**os.environ, "LASTMILE_PG_DIR": str(junk)}
    env.pop("LASTMILE_DATABASE_URL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "tests/finance", "tests/customers"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    output = proc.stdout + proc.stderr
    assert proc.returncode == 3, output
    assert "cannot start the embedded PostgreSQL" in output, output
    assert "LASTMILE_DATABASE_URL" in output, "the message says what to do"
    assert " passed" not in output and " error" not in output, "no test ran"
