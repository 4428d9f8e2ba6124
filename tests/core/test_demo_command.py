"""`lastmile demo` serves the web UI through gunicorn with the production
settings (WhiteNoise, no DEBUG): the printed credentials work, the staff
stylesheet is served, a burst of concurrent requests gets no 5xx and no
reset, and Ctrl-C stops everything it started, PostgreSQL included."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

from lastmile.db.embedded import remove_cluster

REPO = Path(__file__).resolve().parents[2]


def _free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, deadline_s: float) -> int:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return int(response.status)
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {deadline_s} s")


def _descendants(pid: int) -> list[int]:
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    found = [int(c) for c in children.stdout.split()]
    return found + [d for c in found for d in _descendants(c)]


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


BURST = 75


def _burst(url: str, cookie: str) -> list[str]:
    """BURST requests released at the same moment; return what went wrong."""
    start = threading.Barrier(BURST)

    def one(_: int) -> str | None:
        request = urllib.request.Request(url, headers={"Cookie": cookie})
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
                return None
        except urllib.error.HTTPError as exc:
            return f"HTTP {exc.code}" if exc.code >= 500 else None
        except OSError as exc:  # connection reset / refused / closed early
            return f"{type(exc).__name__}: {exc}"

    with ThreadPoolExecutor(max_workers=BURST) as pool:
        return [outcome for outcome in pool.map(one, range(BURST)) if outcome]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.interop
def test_demo_serves_logs_in_and_stops_everything_on_ctrl_c():
    data_dir = REPO / "var" / "test-clusters" / uuid.uuid4().hex[:8] / "pg"
    port = _free_port()
    env = {**os.environ, "LASTMILE_DEMO": "1", "LASTMILE_PG_DIR": str(data_dir)}
    env.pop("LASTMILE_DATABASE_URL", None)
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "lastmile.cli", "demo", "--customers", "20", "--addr", f"127.0.0.1:{port}",
            "--radius-auth-port", str(_free_port(socket.SOCK_DGRAM)),
            "--radius-acct-port", str(_free_port(socket.SOCK_DGRAM)),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        assert _wait_http(f"{base}/login/", 240) == 200
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/login/").read().decode()
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found is not None
        token = found.group(1)
        body = urlencode(
            {"csrfmiddlewaretoken": token, "username": "admin", "password": "admin"}
        ).encode()
        request = urllib.request.Request(
            f"{base}/login/", data=body, headers={"Referer": f"{base}/login/"}
        )
        dashboard = opener.open(request).read().decode()
        assert "Dashboard" in dashboard and "admin" in dashboard

        # Production serving: WhiteNoise hands out the collected stylesheet
        # (gzip when asked), and there is no debug page for a missing URL.
        css = urllib.request.Request(
            f"{base}/static/lastmile/lastmile.css", headers={"Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(css) as response:
            assert response.status == 200
            assert response.headers["Content-Encoding"] == "gzip"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/no-such-page/")
        assert missing.value.code == 404
        assert b"DEBUG = True" not in missing.value.read()

        # A burst of logged-in page views, each one querying the database.
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        assert _burst(f"{base}/customers/", cookie) == []
        assert _burst(f"{base}/", cookie) == []

        pid = int((data_dir / "postmaster.pid").read_text().splitlines()[0])
        children = _descendants(proc.pid)
        commands = [_cmdline(c) for c in children]
        assert any("gunicorn" in c for c in commands), commands
        assert any("radius" in c for c in commands), commands
        assert any(" worker" in c for c in commands), commands
        assert not any("runserver" in c for c in commands), commands
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            # A failed assertion above: stop the demo the proper way, so that
            # its children and PostgreSQL do not outlive the test.
            proc.send_signal(signal.SIGINT)
            try:
                proc.communicate(timeout=90)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert "admin / admin" in output
    assert not (data_dir / "postmaster.pid").exists()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (_alive(pid) or any(_alive(c) for c in children)):
        time.sleep(0.2)
    assert not _alive(pid), "PostgreSQL outlived the demo"
    assert not [c for c in children if _alive(c)], "a process outlived the demo"
    remove_cluster(data_dir)  # as root its data lives outside the clone (decision 0005)
    shutil.rmtree(data_dir.parent)
