"""Simulated devices for tests, the bench and the demo.

* ``data/*.snmprec``: recorded SNMP data per driver model, written from the
  vendors' MIB facts by ``lastmile.drivers.sim.records`` (regenerate with
  ``python -m lastmile.drivers.sim.records``).  The community (v2c) or the
  context name (v3) picks the file: community ``zte_c320`` → ``zte_c320.snmprec``.
* ``snmpsim_agent()``: starts snmpsim on a free loopback port with a data
  directory and stops it (context manager; no process is left behind).
* ``zte_cli``: a ZTE C320 telnet CLI peer (telnetlib3 server) for ONU
  registration.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
#: lastmile's own snmpsim variation modules (``rowtable``: rows made by RowStatus)
VARIATION_DIR = Path(__file__).resolve().parent / "variation"


def free_udp_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def free_tcp_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _udp_bound(pid: int, port: int) -> bool:
    """Whether ``pid`` holds a UDP socket on ``port`` (from /proc, no packet sent)."""
    inodes: set[str] = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
        text = Path("/proc/net/udp").read_text()
    except OSError:
        return False
    want = f":{port:04X}"
    for line in text.splitlines()[1:]:
        parts = line.split()
        if len(parts) > 9 and parts[1].endswith(want) and parts[9] in inodes:
            return True
    return False


@dataclass(frozen=True)
class Agent:
    host: str
    port: int
    data_dir: Path
    pid: int


@contextlib.contextmanager
def snmpsim_agent(
    data_dir: Path | str = DATA_DIR,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    v3_user: str = "",
    v3_auth_key: str = "",
    v3_auth_proto: str = "NONE",
    v3_priv_key: str = "",
    v3_priv_proto: str = "NONE",
    startup_timeout_s: float = 60.0,
) -> Iterator[Agent]:
    """snmpsim serving ``data_dir`` on ``host:port`` (a free port when None).

    Writable objects are the records tagged ``writecache`` in the data, and the
    tables served by ``variation/rowtable.py`` (rows created and destroyed through
    their RowStatus); written values live in this process only, so every
    ``with`` starts fresh.
    snmpsim keys that cache by OID alone: two data files with the same writable
    OID (DGS-3120 and DGS-3627) share the written value within one agent.
    """
    port = port or free_udp_port(host)
    work = Path(tempfile.mkdtemp(prefix="lastmile-snmpsim-"))
    cache = work / "cache"
    cache.mkdir()
    cmd = [
        sys.executable,
        "-c",
        "from snmpsim.commands.responder import main; main()",
        f"--data-dir={data_dir}",
        f"--agent-udpv4-endpoint={host}:{port}",
        f"--cache-dir={cache}",
        "--logging-method=null",
        # given any module directory snmpsim searches only those: add its own too
        f"--variation-modules-dir={VARIATION_DIR}",
        f"--variation-modules-dir={_snmpsim_variation_dir()}",
    ]
    if os.geteuid() == 0:
        # snmpsim refuses to keep root unless told which user to be; staying root
        # keeps the interpreter (installed under /root) readable.
        cmd += ["--process-user=root", "--process-group=root"]
    # An ordinary user passes no user: snmpsim then keeps the caller's identity
    # (given one, it calls setgroups(), which only root may).
    if v3_user:
        cmd += [
            f"--v3-user={v3_user}",
            f"--v3-auth-proto={v3_auth_proto}",
            f"--v3-priv-proto={v3_priv_proto}",
        ]
        if v3_auth_key:
            cmd.append(f"--v3-auth-key={v3_auth_key}")
        if v3_priv_key:
            cmd.append(f"--v3-priv-key={v3_priv_key}")
    log = (work / "snmpsim.log").open("wb")
    proc = subprocess.Popen(
        cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=work
    )
    try:
        deadline = time.monotonic() + startup_timeout_s
        while not _udp_bound(proc.pid, port):
            if proc.poll() is not None:
                log.flush()
                raise RuntimeError(
                    "snmpsim did not start: " + (work / "snmpsim.log").read_text()[-2000:]
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"snmpsim did not bind {host}:{port} in {startup_timeout_s} s")
            time.sleep(0.05)
        yield Agent(host=host, port=port, data_dir=Path(data_dir), pid=proc.pid)
    finally:
        _stop(proc)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


def _snmpsim_variation_dir() -> Path:
    """snmpsim's built-in variation modules (``writecache``), next to its package."""
    import importlib.util

    spec = importlib.util.find_spec("snmpsim")
    if spec is None or spec.origin is None:
        raise RuntimeError("snmpsim is not installed")
    return Path(spec.origin).resolve().parent / "variation"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@contextlib.contextmanager
def snmpd_agent(
    communities: list[str],
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    write_community: str = "",
    v3_user: str = "",
    v3_auth_key: str = "",
    v3_priv_key: str = "",
    startup_timeout_s: float = 30.0,
) -> Iterator[Agent]:
    """Debian's net-snmp ``snmpd`` (a real agent: this machine's interfaces) on a
    free port with a temporary configuration; stopped by its pid on exit."""
    snmpd = shutil.which("snmpd") or "/usr/sbin/snmpd"
    if not Path(snmpd).exists():
        raise RuntimeError("snmpd is not installed (Debian package snmpd)")
    port = port or free_udp_port(host)
    work = Path(tempfile.mkdtemp(prefix="lastmile-snmpd-"))
    lines = [f"agentaddress udp:{host}:{port}", "dontLogTCPWrappersConnects yes"]
    lines += [f"rocommunity {c} {host}" for c in communities]
    if write_community:
        lines.append(f"rwcommunity {write_community} {host}")
    if v3_user:
        lines.append(f"createUser {v3_user} SHA {v3_auth_key} AES {v3_priv_key}")
        lines.append(f"rouser {v3_user} priv")
    conf = work / "snmpd.conf"
    conf.write_text("\n".join(lines) + "\n")
    (work / "persist").mkdir()
    env = {**os.environ, "SNMP_PERSISTENT_DIR": str(work / "persist"), "MIBS": ""}
    cmd = [snmpd, "-f", "-C", "-c", str(conf), "-Ln", "-p", str(work / "snmpd.pid")]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd=work,
        env=env,
    )
    try:
        deadline = time.monotonic() + startup_timeout_s
        while not _udp_bound(proc.pid, port):
            if proc.poll() is not None:
                raise RuntimeError(f"snmpd exited with {proc.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"snmpd did not bind {host}:{port}")
            time.sleep(0.05)
        yield Agent(host=host, port=port, data_dir=work, pid=proc.pid)
    finally:
        _stop(proc)
        shutil.rmtree(work, ignore_errors=True)
