"""CoA and Disconnect against a NAS emulator over real UDP; the NAS's
answers (ACK, NAK, silence) are recorded on the session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lastmile.aaa import services
from lastmile.network import services as network_services
from lastmile.network.models import Lease, Session
from lastmile.radius import codec
from lastmile.radius.profiles import MIKROTIK_RATE_LIMIT, VENDOR_MIKROTIK
from tests.aaa.nas_emulator import NasEmulator
from tests.factories import (
    NasFactory,
    NetCustomerFactory,
    NetTariffFactory,
    PoolFactory,
    net_subscribe,
)

pytestmark = [pytest.mark.interop, pytest.mark.django_db]


def _session(customer, nas, sid="S1", address="10.90.0.5"):  # type: ignore[no-untyped-def]
    now = timezone.now()
    return Session.objects.create(
        nas=nas, acct_session_id=sid, customer=customer, login=customer.login,
        address=address, started_at=now, updated_at=now,
    )  # fmt: skip


@pytest.fixture
def fast_coa(settings):  # type: ignore[no-untyped-def]
    conf = settings.LASTMILE
    old = conf.radius_coa_timeout_s, conf.radius_coa_retries
    conf.radius_coa_timeout_s, conf.radius_coa_retries = 0.3, 2
    yield
    conf.radius_coa_timeout_s, conf.radius_coa_retries = old


def test_disconnect_customer_records_ack(fast_coa):  # type: ignore[no-untyped-def]
    customer = NetCustomerFactory()
    with NasEmulator(mode="ack") as emulator:
        nas = NasFactory(address="127.0.0.1", coa_port=emulator.port)
        session = _session(customer, nas)
        outcomes = services.disconnect_customer(customer_id=customer.pk, reason="debt")
    assert [o.result for o in outcomes] == ["ack"]
    packet = emulator.received[0]
    assert packet.code == codec.DISCONNECT_REQUEST
    assert packet.text(codec.ACCT_SESSION_ID) == "S1"
    assert packet.text(codec.USER_NAME) == customer.login
    session.refresh_from_db()
    assert (session.coa_kind, session.coa_result) == ("disconnect", "ack")
    assert session.coa_at is not None


def test_nak_and_timeout_are_recorded(fast_coa):  # type: ignore[no-untyped-def]
    customer = NetCustomerFactory()
    with NasEmulator(mode="nak") as emulator:
        nas = NasFactory(address="127.0.0.1", coa_port=emulator.port)
        session = _session(customer, nas)
        services.disconnect_customer(customer_id=customer.pk, reason="debt")
    session.refresh_from_db()
    assert (session.coa_result, session.coa_detail) == ("nak", "Session-Context-Not-Found")
    with NasEmulator(mode="silent") as emulator:
        Session.objects.filter(pk=session.pk).update(coa_result="")
        nas.coa_port = emulator.port
        nas.save()
        services.disconnect_customer(customer_id=customer.pk, reason="debt")
    session.refresh_from_db()
    assert session.coa_result == "timeout"
    assert len(emulator.received) == 2  # retried once


def test_change_speed_sends_coa_with_the_new_rate(fast_coa):  # type: ignore[no-untyped-def]
    customer = NetCustomerFactory()
    sub = net_subscribe(customer, NetTariffFactory(rate_down_kbps=20000, rate_up_kbps=10000))
    with NasEmulator(mode="ack") as emulator:
        nas = NasFactory(address="127.0.0.1", coa_port=emulator.port, vendor="mikrotik")
        session = _session(customer, nas)
        outcomes = services.change_speed(customer_id=customer.pk)
        assert [o.result for o in outcomes] == ["ack"]
        assert emulator.received[-1].code == codec.COA_REQUEST
        assert emulator.received[-1].vsa(VENDOR_MIKROTIK, MIKROTIK_RATE_LIMIT) == b"10000k/20000k"
        # Access lost (period over): the customer is disconnected instead.
        sub.period_end = timezone.now() - timedelta(seconds=1)
        sub.save()
        services.change_speed(customer_id=customer.pk)
        assert emulator.received[-1].code == codec.DISCONNECT_REQUEST
    session.refresh_from_db()
    assert session.coa_kind == "disconnect"


def test_ending_a_lease_disconnects_its_session(fast_coa, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    customer = NetCustomerFactory()
    pool = PoolFactory(network="10.90.0.0/24")
    lease = Lease.objects.create(address="10.90.0.5", pool=pool, customer=customer, kind="dynamic")
    with NasEmulator(mode="ack") as emulator:
        nas = NasFactory(address="127.0.0.1", coa_port=emulator.port)
        session = _session(customer, nas, address="10.90.0.5")
        with django_capture_on_commit_callbacks(execute=True):
            assert network_services.end_lease(lease=lease, reason="deleted")
    assert emulator.received[0].code == codec.DISCONNECT_REQUEST
    session.refresh_from_db()
    assert session.coa_result == "ack"
    lease.refresh_from_db()
    assert lease.ended_at is not None and lease.end_reason == "deleted"
    assert Lease.objects.filter(pk=lease.pk).exists()  # history is kept
