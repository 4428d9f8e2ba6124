"""Interim updates re-check the equipment (issue 13: "a router handed to a
neighbour keeps renewing"): an Interim-Update whose MAC or option 82 port is
not the one the session's lease was given to is logged and its session
disconnected.  The real server, radclient as the NAS, a UDP peer on the NAS's
CoA port and ``lastmile worker``."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator

import pytest

from lastmile.aaa.models import AccessChange
from lastmile.radius import codec
from tests.aaa.helpers import radius_server, worker_process
from tests.aaa.nas_emulator import NasEmulator
from tests.factories import (
    CustomerFactory,
    NasFactory,
    PoolFactory,
    SubscriptionFactory,
    TariffFactory,
)
from tests.interop.radclient import radclient

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(shutil.which("radclient") is None, reason="freeradius-utils not installed"),
]

MAC = "00:11:22:33:44:55"
OTHER_MAC = "66:77:88:99:aa:bb"
PORT = 'ADSL-Agent-Remote-Id = "sw-7", ADSL-Agent-Circuit-Id = "eth1/0/5"'


def _wait(predicate: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {seconds} s")


@pytest.fixture
def world(transactional_db) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    with NasEmulator(mode="ack") as emulator:
        NasFactory(name="bras", address="127.0.0.1", coa_port=emulator.port)
        PoolFactory(name="main", network="10.58.0.0/24", kind="dynamic")
        anna = CustomerFactory(login="anna", pppoe_secret="pass-anna")
        SubscriptionFactory(customer=anna, tariff=TariffFactory())
        with radius_server() as server, worker_process():
            yield {"emulator": emulator, "server": server, "anna": anna}


def _online(server, sid: str) -> str:  # type: ignore[no-untyped-def]
    code, attrs = radclient(
        server.auth_port,
        "auth",
        f'User-Name = "anna", User-Password = "pass-anna", Calling-Station-Id = "{MAC}",'
        f" {PORT}, Message-Authenticator = 0x00",
    )
    assert code == "Access-Accept"
    address = attrs["Framed-IP-Address"]
    _acct(server, "Start", sid, address, f'Calling-Station-Id = "{MAC}", {PORT}')
    return address


def _acct(server, status: str, sid: str, address: str, equipment: str) -> None:  # type: ignore[no-untyped-def]
    code, _ = radclient(
        server.acct_port,
        "acct",
        f'User-Name = "anna", Acct-Session-Id = "{sid}", Framed-IP-Address = {address},'
        f" Acct-Status-Type = {status}, Acct-Session-Time = 300, {equipment}",
    )
    assert code == "Accounting-Response", status


def _disconnects(emulator: NasEmulator, sid: str) -> list[codec.Packet]:
    return [
        p
        for p in emulator.received
        if p.code == codec.DISCONNECT_REQUEST and p.text(codec.ACCT_SESSION_ID) == sid
    ]


def test_an_interim_from_another_mac_disconnects_the_session_once(world):  # type: ignore[no-untyped-def]
    server, emulator = world["server"], world["emulator"]
    address = _online(server, "s-1")
    _acct(server, "Interim-Update", "s-1", address, f'Calling-Station-Id = "{MAC}", {PORT}')
    time.sleep(1)
    assert _disconnects(emulator, "s-1") == [], "the lease's own equipment is fine"
    _acct(server, "Interim-Update", "s-1", address, f'Calling-Station-Id = "{OTHER_MAC}", {PORT}')
    _wait(lambda: _disconnects(emulator, "s-1"), 5, "Disconnect of the session")
    log = server.log()
    assert "radius.interim_equipment_mismatch" in log
    assert OTHER_MAC in log and MAC in log
    change = AccessChange.objects.get(customer=world["anna"])
    assert change.reason == "equipment_changed"
    _wait(lambda: AccessChange.objects.get(pk=change.pk).state == "applied", 5, "change applied")
    # The NAS reports once more before the session goes: no second request.
    _acct(server, "Interim-Update", "s-1", address, f'Calling-Station-Id = "{OTHER_MAC}", {PORT}')
    time.sleep(1)
    assert AccessChange.objects.filter(customer=world["anna"]).count() == 1
    assert len(_disconnects(emulator, "s-1")) == 1


def test_an_interim_from_another_switch_port_disconnects_the_session(world):  # type: ignore[no-untyped-def]
    server, emulator = world["server"], world["emulator"]
    address = _online(server, "s-2")
    moved = 'ADSL-Agent-Remote-Id = "sw-7", ADSL-Agent-Circuit-Id = "eth1/0/6"'
    _acct(server, "Interim-Update", "s-2", address, f'Calling-Station-Id = "{MAC}", {moved}')
    _wait(lambda: _disconnects(emulator, "s-2"), 5, "Disconnect of the session")
    assert "eth1/0/6" in server.log()
