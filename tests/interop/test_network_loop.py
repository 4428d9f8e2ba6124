"""The network follows the money, end to end (issue 13): the real RADIUS server,
Debian's radclient as the NAS's RADIUS client, a UDP peer on the NAS's CoA port,
and ``lastmile worker`` running, all on one test database.

- a subscriber who renews stays online across the period boundary: one session,
  one address, nothing sent to the NAS;
- one who cannot pay is moved at the boundary: to the guest profile by CoA where
  the vendor applies it live (MikroTik), else by Disconnect, then the guest pool;
- deleting or moving an IPoE binding disconnects the session it let in;
- a block disconnects; a payment after a lapse brings back a normal address.

Each waits at most 5 s for the NAS to hear about a change (the issue's bound),
with real processes, so a slow pick-up of a job shows as a failure.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from lastmile.aaa.models import AccessChange, NasAttempt
from lastmile.customers.services import deactivate_customer
from lastmile.finance.services import record_payment
from lastmile.network.models import Nas, Session
from lastmile.network.services import create_binding, delete_binding, update_binding
from lastmile.radius import codec
from lastmile.subscriptions.jobs import schedule_boundary_runs
from lastmile.subscriptions.models import Subscription
from tests.aaa.helpers import radius_server, worker_process
from tests.aaa.nas_emulator import NasEmulator
from tests.factories import CustomerFactory, NasFactory, PoolFactory, TariffFactory
from tests.interop.test_radclient import radclient

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(shutil.which("radclient") is None, reason="freeradius-utils not installed"),
]

NAS_BOUND_S = 5.0


def _wait(predicate: Callable[[], object], seconds: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {seconds} s")


@pytest.fixture
def loop(transactional_db) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    with NasEmulator(mode="ack") as emulator:
        NasFactory(name="bras", address="127.0.0.1", vendor="mikrotik", coa_port=emulator.port)
        PoolFactory(name="main", network="10.78.0.0/24", kind="dynamic")
        PoolFactory(name="guest", network="10.79.0.0/24", kind="guest")
        tariff = TariffFactory(price=300, rate_down_kbps=20000, rate_up_kbps=10000, is_public=True)
        with radius_server() as server, worker_process():
            yield {"emulator": emulator, "server": server, "tariff": tariff}


def _subscribe(customer, tariff, *, ends_in_s: float, auto_renew: bool = True) -> Subscription:  # type: ignore[no-untyped-def]
    now = timezone.now()
    return Subscription.objects.create(
        customer=customer, tariff=tariff, price=tariff.price, state="active", auto_renew=auto_renew,
        anchor=now - timedelta(days=30), periods=1,
        period_start=now - timedelta(days=30), period_end=now + timedelta(seconds=ends_in_s),
    )  # fmt: skip


def _online(server, customer, sid: str, pool: str = "10.78.") -> dict[str, str]:  # type: ignore[no-untyped-def]
    # The server learns of new customers and subscriptions through LISTEN/NOTIFY:
    # like a router, try again until the answer reflects them.
    for _ in range(25):
        code, attrs = radclient(
            server.auth_port,
            "auth",
            f'User-Name = "{customer.login}", User-Password = "pass-{customer.login}",'
            # One line of the NAS: its re-auth is not a second session (Simultaneous-Use).
            f' NAS-Port-Id = "{sid}"',
        )
        if code == "Access-Accept" and attrs["Framed-IP-Address"].startswith(pool):
            break
        time.sleep(0.2)
    assert code == "Access-Accept" and attrs["Framed-IP-Address"].startswith(pool), attrs
    start = radclient(
        server.acct_port,
        "acct",
        f'User-Name = "{customer.login}", Acct-Session-Id = "{sid}", NAS-Port-Id = "{sid}",'
        f" Framed-IP-Address = {attrs['Framed-IP-Address']}, Acct-Status-Type = Start",
    )
    assert start[0] == "Accounting-Response"
    _wait(lambda: Session.objects.filter(acct_session_id=sid).exists(), 5, "session recorded")
    return attrs


def _boundary_soon(sub: Subscription, seconds: float = 3.0) -> datetime:
    """Move the period end to a few seconds from now and schedule its run.

    The subscriber logs in first (which can take seconds on a loaded machine),
    then the boundary is set: the wait below never starts after the boundary.
    The worker's own minute-by-minute ``schedule_boundaries`` may have queued the
    same run already (one per second by its queueing lock): either way exactly
    one ``billing_at`` job waits for that second.
    """
    end = timezone.now() + timedelta(seconds=seconds)
    Subscription.objects.filter(pk=sub.pk).update(period_end=end)
    sub.refresh_from_db()
    schedule_boundary_runs(timezone.now())
    second = int(end.timestamp()) + (1 if end.microsecond else 0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE queueing_lock = %s AND status = 'todo'",
            [f"billing_at:{second}"],
        )
        assert cursor.fetchone()[0] == 1, "one run waits for the boundary second"
    return end


def _disconnects(emulator: NasEmulator, sid: str) -> list[codec.Packet]:
    return [
        p
        for p in emulator.received
        if p.code == codec.DISCONNECT_REQUEST and p.text(codec.ACCT_SESSION_ID) == sid
    ]


def test_a_renewing_subscriber_stays_online_across_the_boundary(loop):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(pppoe=True, login="renews")
    record_payment(customer_id=customer.pk, amount="1000", external_id="loop-1")
    sub = _subscribe(customer, loop["tariff"], ends_in_s=60)
    first = _online(loop["server"], customer, "r-1")
    # Session-Timeout is not cut at the boundary a minute away.
    assert int(first["Session-Timeout"]) == 86400
    boundary = _boundary_soon(sub)

    def renewed() -> bool:
        sub.refresh_from_db()
        return sub.period_end is not None and sub.period_end > boundary

    _wait(renewed, 3 + NAS_BOUND_S, "renewal at the boundary")
    time.sleep(1)  # anything the run would send to the NAS has left by now
    assert loop["emulator"].received == [], "nothing is sent for a renewal"
    interim = radclient(
        loop["server"].acct_port,
        "acct",
        f'User-Name = "renews", Acct-Session-Id = "r-1", Framed-IP-Address = '
        f"{first['Framed-IP-Address']}, Acct-Status-Type = Interim-Update, Acct-Session-Time = 10",
    )
    assert interim[0] == "Accounting-Response"
    session = Session.objects.get(acct_session_id="r-1")
    assert session.stopped_at is None
    assert session.address == first["Framed-IP-Address"]
    assert Session.objects.filter(customer=customer).count() == 1
    again = _online(loop["server"], customer, "r-1")  # a re-auth keeps the address
    assert again["Framed-IP-Address"] == first["Framed-IP-Address"]


def _requests(emulator: NasEmulator, sid: str, code: int) -> list[codec.Packet]:
    return [p for p in emulator.received if p.code == code and p.text(codec.ACCT_SESSION_ID) == sid]


@pytest.mark.parametrize(
    ("vendor", "request_code"),
    [
        # MikroTik applies the guest address list live: a CoA, the session stays.
        ("mikrotik", codec.COA_REQUEST),
        # accel-ppp has no live guest profile: a Disconnect, the re-auth goes to the guest pool.
        ("accel-ppp", codec.DISCONNECT_REQUEST),
    ],
)
def test_a_subscriber_who_cannot_pay_is_moved_at_the_boundary(loop, vendor, request_code):  # type: ignore[no-untyped-def]
    Nas.objects.update(vendor=vendor)  # the worker reads the NAS with each job
    customer = CustomerFactory(pppoe=True, login=f"lapses-{vendor}")
    sub = _subscribe(customer, loop["tariff"], ends_in_s=60)
    sid = f"l-{vendor}"
    _online(loop["server"], customer, sid)
    boundary = _boundary_soon(sub)
    boundary_in = (boundary - timezone.now()).total_seconds()
    waited = _wait(
        lambda: _requests(loop["emulator"], sid, request_code),
        boundary_in + NAS_BOUND_S,
        f"request {request_code} at the boundary",
    )
    assert waited >= boundary_in - 0.5, "not before the boundary"
    sub.refresh_from_db()
    assert sub.state == "expired"
    change = AccessChange.objects.get(customer=customer)
    _wait(lambda: AccessChange.objects.get(pk=change.pk).state == "applied", 5, "recorded")
    kinds = list(NasAttempt.objects.filter(change=change).values_list("kind", "result"))
    if request_code == codec.COA_REQUEST:
        (coa,) = _requests(loop["emulator"], sid, codec.COA_REQUEST)
        assert coa.vsa(14988, 19) == b"lastmile-guest", "the guest address list, live"
        assert kinds == [("guest_coa", "ack")]
        assert not _disconnects(loop["emulator"], sid)
    else:
        assert kinds == [("disconnect", "ack")]
        assert not _requests(loop["emulator"], sid, codec.COA_REQUEST)
    code, guest = radclient(
        loop["server"].auth_port,
        "auth",
        f'User-Name = "{customer.login}", User-Password = "pass-{customer.login}",'
        f' NAS-Port-Id = "{sid}"',
    )
    assert code == "Access-Accept"
    assert guest["Framed-IP-Address"].startswith("10.79."), "the re-auth lands in the guest pool"
    if request_code == codec.COA_REQUEST:
        # Back to paid: a session moved by CoA still carries the guest list, so
        # a payment disconnects it (a speed CoA would leave the list in place).
        record_payment(customer_id=customer.pk, amount=Decimal("300"), external_id=f"lp-{sid}")
        _wait(lambda: _disconnects(loop["emulator"], sid), NAS_BOUND_S, "Disconnect after payment")


def test_deleting_or_moving_an_ipoe_binding_disconnects_its_session(loop):  # type: ignore[no-untyped-def]
    moved_to = CustomerFactory(pppoe=True, login="neighbour")
    for login, mac, sid in (
        ("ipoe-del", "02:00:00:00:00:01", "i-1"),
        ("ipoe-mov", "02:00:00:00:00:02", "i-2"),
    ):
        customer = CustomerFactory(pppoe=True, login=login)
        record_payment(customer_id=customer.pk, amount="1000", external_id=f"loop-{sid}")
        _subscribe(customer, loop["tariff"], ends_in_s=86400)
        binding = create_binding(actor=None, customer=customer, mac=mac).binding
        for _ in range(25):  # the server learns the binding by LISTEN/NOTIFY
            code, attrs = radclient(
                loop["server"].auth_port, "auth",
                f'User-Name = "{mac}", Calling-Station-Id = "{mac}", NAS-Port-Id = "{sid}"',
            )  # fmt: skip
            if code == "Access-Accept":
                break
            time.sleep(0.2)
        assert code == "Access-Accept", attrs
        assert radclient(
            loop["server"].acct_port, "acct",
            f'User-Name = "{mac}", Acct-Session-Id = "{sid}", Calling-Station-Id = "{mac}",'
            f" Framed-IP-Address = {attrs['Framed-IP-Address']}, Acct-Status-Type = Start",
        )[0] == "Accounting-Response"  # fmt: skip
        _wait(lambda: Session.objects.filter(acct_session_id=sid).exists(), 5, "session")
        if login == "ipoe-del":
            delete_binding(actor=None, binding=binding)
        else:
            update_binding(actor=None, binding=binding, customer=moved_to)
        _wait(lambda: _disconnects(loop["emulator"], sid), NAS_BOUND_S, f"Disconnect ({login})")
        change = AccessChange.objects.get(customer=customer)
        assert change.reason == "binding_changed"
    # A change that is no change of identity (the description) sends nothing.
    before = len(loop["emulator"].received)
    update_binding(actor=None, binding=binding, description="flat 7")
    time.sleep(1)
    assert len(loop["emulator"].received) == before
    assert not AccessChange.objects.filter(customer=moved_to).exists()


def test_a_block_disconnects_within_seconds(loop):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(pppoe=True, login="blocked")
    record_payment(customer_id=customer.pk, amount="1000", external_id="loop-2")
    _subscribe(customer, loop["tariff"], ends_in_s=86400)
    _online(loop["server"], customer, "b-1")
    deactivate_customer(customer=customer)
    _wait(lambda: _disconnects(loop["emulator"], "b-1"), NAS_BOUND_S, "Disconnect after a block")
    code, attrs = radclient(
        loop["server"].auth_port, "auth", 'User-Name = "blocked", User-Password = "pass-blocked"'
    )
    assert (code, attrs.get("Reply-Message")) == ("Access-Reject", "Account disabled")


def test_a_payment_after_a_lapse_brings_back_a_normal_address_and_speed(loop):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(pppoe=True, login="returns")
    sub = _subscribe(customer, loop["tariff"], ends_in_s=-60)
    Subscription.objects.filter(pk=sub.pk).update(
        state="expired", ended_at=sub.period_end, end_reason="no_funds"
    )
    _online(loop["server"], customer, "p-1", pool="10.79.")
    record_payment(customer_id=customer.pk, amount=Decimal("300"), external_id="loop-3")
    _wait(lambda: _disconnects(loop["emulator"], "p-1"), NAS_BOUND_S, "Disconnect after payment")
    code, attrs = radclient(
        loop["server"].auth_port,
        "auth",
        'User-Name = "returns", User-Password = "pass-returns", NAS-Port-Id = "p-1"',
    )
    assert code == "Access-Accept"
    assert attrs["Framed-IP-Address"].startswith("10.78.")
    assert attrs["Mikrotik-Rate-Limit"] == "10000k/20000k"
