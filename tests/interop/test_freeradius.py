"""Debian's FreeRADIUS with the shipped rlm_rest configuration
(``deploy/freeradius/``), started by the test on a free port, asks lastmile's
web app (the test's live server) and answers radclient with lastmile's
decision (issue 13, item 7)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command

from lastmile.network.models import Lease
from tests.aaa.helpers import free_udp_port
from tests.factories import (
    CustomerFactory,
    NasFactory,
    PoolFactory,
    SubscriptionFactory,
    TariffFactory,
)
from tests.interop.radclient import SECRET, radclient

FREERADIUS = shutil.which("freeradius") or shutil.which("radiusd")
CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "freeradius"

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(shutil.which("radclient") is None, reason="freeradius-utils not installed"),
    pytest.mark.skipif(
        FREERADIUS is None or not Path("/usr/lib/freeradius/rlm_rest.so").exists(),
        reason="freeradius and freeradius-rest not installed",
    ),
]


@contextmanager
def freeradius(url: str, token: str) -> Iterator[tuple[int, Path]]:
    """FreeRADIUS in the foreground (-X: debug log), our configuration read in
    place, pid file and log in a temp dir; stopped (and waited for) at the end."""
    assert FREERADIUS is not None
    run = Path(tempfile.mkdtemp(prefix="freeradius-"))
    log_path = run / "debug.log"
    for attempt in range(3):
        port = free_udp_port()
        env = dict(
            os.environ,
            LASTMILE_FR_DIR=str(CONFIG),
            LASTMILE_FR_RUN=str(run),
            LASTMILE_FR_AUTH_PORT=str(port),
            LASTMILE_URL=url.rstrip("/"),
            LASTMILE_NAS_TOKEN=token,
            LASTMILE_NAS_SECRET=SECRET,
            LASTMILE_NAS_NETWORK="127.0.0.1/32",
        )
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [FREERADIUS, "-X", "-d", str(CONFIG)],
                stdout=log, stderr=subprocess.STDOUT, env=env,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            if "Ready to process requests" in log_path.read_text():
                break
            time.sleep(0.1)
        if process.poll() is None and "Ready to process requests" in log_path.read_text():
            break
        process.kill()
        process.wait(timeout=30)
        if "Address already in use" not in log_path.read_text() or attempt == 2:
            raise RuntimeError("freeradius did not start:\n" + log_path.read_text())
    try:
        yield port, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        shutil.rmtree(run, ignore_errors=True)


def test_freeradius_answers_with_lastmiles_decision(live_server) -> None:  # type: ignore[no-untyped-def]
    NasFactory(name="freeradius", address="127.0.0.1", vendor="mikrotik")
    out = io.StringIO()
    call_command("nas_token", "freeradius", stdout=out)  # what the operator runs
    token = out.getvalue().strip()
    assert token.startswith("lmnas_")
    PoolFactory(name="main", network="10.77.0.0/24", kind="dynamic")
    PoolFactory(
        name="pd6", network="2001:db8:f000::/36", kind="dynamic",
        delegated_prefix_length=56, ipv6_use="delegated",
    )  # fmt: skip
    tariff = TariffFactory(
        rate_down_kbps=100000, rate_up_kbps=50000, burst_down_kbps=200000, burst_up_kbps=80000
    )
    user1 = CustomerFactory(pppoe=True, login="user1")
    SubscriptionFactory(customer=user1, tariff=tariff)
    blocked = CustomerFactory(pppoe=True, login="blocked", blocked=True)
    SubscriptionFactory(customer=blocked, tariff=tariff)
    chap = CustomerFactory(pppoe=True, login="chapuser")
    SubscriptionFactory(customer=chap, tariff=tariff)
    with freeradius(live_server.url, token) as (port, log):
        accept = radclient(
            port,
            "auth",
            'User-Name = "user1", User-Password = "pass-user1",'
            ' Calling-Station-Id = "AA:BB:CC:00:00:01", Message-Authenticator = 0x00',
        )
        again = radclient(port, "auth", 'User-Name = "user1", User-Password = "pass-user1"')
        reject = radclient(port, "auth", 'User-Name = "blocked", User-Password = "pass-blocked"')
        wrong = radclient(port, "auth", 'User-Name = "user1", User-Password = "nope"')
        chap_ok = radclient(port, "auth", 'User-Name = "chapuser", CHAP-Password = "pass-chapuser"')
        chap_wrong = radclient(port, "auth", 'User-Name = "chapuser", CHAP-Password = "nope"')
        debug = log.read_text()
    code, attrs = accept
    assert code == "Access-Accept", debug
    lease = Lease.objects.get(customer=user1, ended_at__isnull=True, prefix_length=None)
    assert attrs["Framed-IP-Address"] == lease.address
    assert lease.mac == "aa:bb:cc:00:00:01"
    assert attrs["Mikrotik-Rate-Limit"] == "50000k/100000k 80000k/200000k"
    prefix = Lease.objects.get(customer=user1, ended_at__isnull=True, prefix_length=56)
    assert attrs["Delegated-IPv6-Prefix"] == f"{prefix.address}/56"
    assert attrs["Session-Timeout"] == "86400"
    assert attrs["Acct-Interim-Interval"] == "300"
    assert again == accept, "a re-auth keeps the address"
    assert reject == ("Access-Reject", {"Reply-Message": "Account disabled"}), debug
    assert wrong == ("Access-Reject", {"Reply-Message": "Wrong password"})
    assert chap_ok[0] == "Access-Accept", debug
    assert chap_wrong == ("Access-Reject", {"Reply-Message": "Wrong password"})


def test_freeradius_refuses_when_lastmile_does_not_answer(transactional_db) -> None:  # type: ignore[no-untyped-def]
    closed = free_udp_port()  # nothing listens on this TCP port either, most likely
    with freeradius(f"http://127.0.0.1:{closed}", "lmnas_x") as (port, log):
        result = radclient(port, "auth", 'User-Name = "user1", User-Password = "pass-user1"')
        debug = log.read_text()
    assert result == ("Access-Reject", {"Reply-Message": "Billing unavailable, try again"}), debug
