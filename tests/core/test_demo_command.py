"""`lastmile demo` serves the login page, the printed credentials work, and
Ctrl-C stops everything it started, PostgreSQL included."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

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
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urlencode(
            {"csrfmiddlewaretoken": token, "username": "admin", "password": "admin"}
        ).encode()
        request = urllib.request.Request(
            f"{base}/login/", data=body, headers={"Referer": f"{base}/login/"}
        )
        dashboard = opener.open(request).read().decode()
        assert "Dashboard" in dashboard and "admin" in dashboard
        pid = int((data_dir / "postmaster.pid").read_text().splitlines()[0])
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(children) >= 2  # worker and RADIUS
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "admin / admin" in output
    assert not (data_dir / "postmaster.pid").exists()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (_alive(pid) or any(_alive(int(c)) for c in children)):
        time.sleep(0.2)
    assert not _alive(pid), "PostgreSQL outlived the demo"
    assert not any(_alive(int(c)) for c in children), "a child process outlived the demo"
