"""Applying access changes to a NAS emulator over real UDP: which request each
change needs, the Disconnect fallback after a refused or unanswered CoA, the
retries, and the record of every request with the NAS's answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from lastmile.aaa.apply import apply_changes, on_access_changed
from lastmile.aaa.apply_record import RETRY_BACKOFF_S
from lastmile.aaa.models import AccessChange, NasAttempt
from lastmile.core.hooks import AccessReason
from lastmile.customers.services import deactivate_customer
from lastmile.network import services as network_services
from lastmile.network.models import Lease, Session
from lastmile.radius import codec
from lastmile.radius.profiles import MIKROTIK_RATE_LIMIT, VENDOR_MIKROTIK
from tests.aaa.nas_emulator import NasEmulator
from tests.factories import (
    CustomerFactory,
    NasFactory,
    PoolFactory,
    SubscriptionFactory,
    TariffFactory,
)

pytestmark = [pytest.mark.interop, pytest.mark.django_db]


def _session(customer, nas, sid="S1", address="10.90.0.5"):  # type: ignore[no-untyped-def]
    now = timezone.now()
    return Session.objects.create(
        nas=nas, acct_session_id=sid, customer=customer, login=customer.login,
        address=address, started_at=now, updated_at=now,
    )  # fmt: skip


def _lease(customer, address, kind="dynamic"):  # type: ignore[no-untyped-def]
    pool = PoolFactory(network=address.rsplit(".", 1)[0] + ".0/24", kind=kind)
    return Lease.objects.create(address=address, pool=pool, customer=customer, kind="dynamic")


def _apply(customer, reason, **kwargs) -> AccessChange:  # type: ignore[no-untyped-def]
    [change] = on_access_changed(customer_id=customer.pk, reason=reason, **kwargs)
    apply_changes([change.pk])
    change.refresh_from_db()
    return change


def _attempts(change: AccessChange) -> list[tuple[str, str, bool]]:
    return [(a.kind, a.result, a.is_fallback) for a in change.attempts.order_by("sent_at", "pk")]


@pytest.fixture
def fast_coa(settings):  # type: ignore[no-untyped-def]
    conf = settings.LASTMILE
    old = conf.radius_coa_timeout_s, conf.radius_coa_retries
    conf.radius_coa_timeout_s, conf.radius_coa_retries = 0.3, 2
    yield
    conf.radius_coa_timeout_s, conf.radius_coa_retries = old


def test_a_block_disconnects_and_records_the_ack(fast_coa):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(pppoe=True, blocked=True)  # blocked
    with NasEmulator(mode="ack") as emulator:
        nas = NasFactory(address="127.0.0.1", coa_port=emulator.port)
        session = _session(customer, nas)
        change = _apply(customer, AccessReason.BLOCKED)
    packet = emulator.received[0]
    assert packet.code == codec.DISCONNECT_REQUEST
    assert packet.text(codec.ACCT_SESSION_ID) == "S1"
    assert packet.text(codec.USER_NAME) == customer.login
    assert change.state == "applied" and change.finished_at is not None
    assert _attempts(change) == [("disconnect", "ack", False)]
    session.refresh_from_db()
    assert (session.coa_kind, session.coa_result) == ("disconnect", "ack")


def test_blocking_through_the_service_requests_the_change_in_its_transaction():
    customer = CustomerFactory(pppoe=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        deactivate_customer(customer=customer)
        raise RuntimeError("the caller fails after the block")
    assert not AccessChange.objects.filter(customer=customer).exists()
    assert deactivate_customer(customer=customer)
    assert not deactivate_customer(customer=customer)  # a second click changes nothing
    [change] = AccessChange.objects.filter(customer=customer)
    assert change.reason == "blocked"
    job = ProcrastinateJob.objects.get(task_name="aaa.apply_access")
    assert job.args == {"change_ids": [change.pk]}


def test_session_gone_on_the_nas_counts_as_done(fast_coa):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(pppoe=True, blocked=True)  # blocked
    with NasEmulator(mode="nak", nak_cause=503) as emulator:
        _session(customer, NasFactory(address="127.0.0.1", coa_port=emulator.port))
        change = _apply(customer, AccessReason.BLOCKED)
    assert _attempts(change) == [("disconnect", "nak", False)]
    assert change.attempts.get().detail == "Session-Context-Not-Found"
    assert change.state == "applied"


@pytest.mark.parametrize("mode", ["silent", "garbage", "wrong-auth"])
def test_no_valid_answer_is_a_timeout_and_the_change_is_retried(fast_coa, mode):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(pppoe=True, blocked=True)  # blocked
    with NasEmulator(mode=mode) as emulator:
        _session(customer, NasFactory(address="127.0.0.1", coa_port=emulator.port))
        change = _apply(customer, AccessReason.BLOCKED)
    assert len(emulator.received) == 2  # retransmitted once
    assert _attempts(change) == [("disconnect", "timeout", False)]
    assert (change.state, change.tries) == ("pending", 1)
    assert "1 not confirmed" in change.summary


def test_a_change_fails_after_its_last_retry_and_is_applied_when_the_nas_answers(fast_coa):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(pppoe=True, blocked=True)  # blocked
    with NasEmulator(mode="silent") as emulator:
        nas = NasFactory(address="127.0.0.1", coa_port=emulator.port)
        _session(customer, nas)
        change = _apply(customer, AccessReason.BLOCKED)
        for _ in RETRY_BACKOFF_S:
            apply_changes([change.pk])
        change.refresh_from_db()
    assert change.state == "failed"
    assert change.tries == len(RETRY_BACKOFF_S) + 1
    assert apply_changes([change.pk]) == []  # a failed change is not sent again

    with NasEmulator(mode="ack") as emulator:
        nas.coa_port = emulator.port
        nas.save()
        again = _apply(customer, AccessReason.BLOCKED)
    assert again.state == "applied"


def test_a_speed_change_is_a_coa_with_the_vendor_rate(fast_coa):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(pppoe=True)
    SubscriptionFactory(
        customer=customer, tariff=TariffFactory(rate_down_kbps=20000, rate_up_kbps=10000)
    )
    with NasEmulator(mode="ack") as emulator:
        nas = NasFactory(address="127.0.0.1", coa_port=emulator.port, vendor="mikrotik")
        _session(customer, nas)
        change = _apply(customer, AccessReason.TARIFF_CHANGED)
    assert emulator.received[-1].code == codec.COA_REQUEST
    assert emulator.received[-1].vsa(VENDOR_MIKROTIK, MIKROTIK_RATE_LIMIT) == b"10000k/20000k"
    assert _attempts(change) == [("coa", "ack", False)]


@pytest.mark.parametrize(("coa_mode", "result"), [("nak", "nak"), ("silent", "timeout")])
def test_a_refused_or_unanswered_coa_falls_back_to_disconnect(fast_coa, coa_mode, result):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(pppoe=True)
    SubscriptionFactory(customer=customer, tariff=TariffFactory())
    with NasEmulator(mode="ack", coa_mode=coa_mode, nak_cause=405) as emulator:
        _session(customer, NasFactory(address="127.0.0.1", coa_port=emulator.port))
        change = _apply(customer, AccessReason.TARIFF_CHANGED)
    assert _attempts(change) == [("coa", result, False), ("disconnect", "ack", True)]
    assert emulator.received[-1].code == codec.DISCONNECT_REQUEST
    assert change.state == "applied"
    if coa_mode == "nak":
        assert change.attempts.filter(kind="coa").get().detail == "Unsupported-Service"


@pytest.mark.parametrize(
    ("vendor", "mode", "attempts"),
    [
        # No live guest profile: the paid address must go.
        ("accel-ppp", "ack", [("disconnect", "ack", False)]),
        ("generic", "ack", [("disconnect", "ack", False)]),
        # MikroTik: the guest address list by CoA; a refusal falls back to Disconnect.
        ("mikrotik", "ack", [("guest_coa", "ack", False)]),
        ("mikrotik", "nak", [("guest_coa", "nak", False), ("disconnect", "ack", True)]),
    ],
)
def test_losing_paid_access_moves_a_paid_session_to_the_guest_profile(
    fast_coa, vendor, mode, attempts
):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(pppoe=True)
    sub = SubscriptionFactory(customer=customer, tariff=TariffFactory())
    sub.period_end = timezone.now() - timedelta(seconds=1)
    sub.save()
    _lease(customer, "10.90.0.5")
    # A CoA NAK with Error-Cause 405 (unsupported service), Disconnects acknowledged.
    with NasEmulator(mode="ack", coa_mode=mode, nak_cause=405) as emulator:
        nas = NasFactory(address="127.0.0.1", coa_port=emulator.port, vendor=vendor)
        session = _session(customer, nas)
        change = _apply(customer, AccessReason.EXPIRED)
        if vendor == "mikrotik":
            coa = emulator.received[0]
            assert coa.code == codec.COA_REQUEST
            assert coa.vsa(14988, 19) == b"lastmile-guest"
            assert coa.vsa(14988, 8) is None, "no speed: the guest profile is the router's"
    assert _attempts(change) == attempts
    if mode == "ack" and vendor == "mikrotik":
        # Still guest: nothing more; paid again: a Disconnect (the list must go).
        session.refresh_from_db()
        assert (session.coa_kind, session.coa_result) == ("guest_coa", "ack")
        with NasEmulator(mode="ack") as emulator:
            nas.coa_port = emulator.port
            nas.save()
            again = _apply(customer, AccessReason.EXPIRED)
            assert _attempts(again) == []
            sub.period_end = timezone.now() + timedelta(days=30)  # renewed
            sub.save()
            paid = _apply(customer, AccessReason.RENEWED_AFTER_PAYMENT)
        assert _attempts(paid) == [("disconnect", "ack", False)]


def test_a_guest_session_is_left_alone_without_money_and_moved_after_payment(fast_coa):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(pppoe=True)
    _lease(customer, "10.91.0.7", kind="guest")
    with NasEmulator(mode="ack") as emulator:
        _session(
            customer, NasFactory(address="127.0.0.1", coa_port=emulator.port), address="10.91.0.7"
        )
        unpaid = _apply(customer, AccessReason.EXPIRED)
        assert _attempts(unpaid) == [] and unpaid.summary == "no open session needed a change"
        SubscriptionFactory(customer=customer, tariff=TariffFactory())
        paid = _apply(customer, AccessReason.RENEWED_AFTER_PAYMENT)
    # A guest address cannot become a paid one by CoA: the re-auth gets a normal address.
    assert _attempts(paid) == [("disconnect", "ack", False)]


def test_ending_a_lease_disconnects_only_the_session_on_it(fast_coa):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(pppoe=True)
    lease = _lease(customer, "10.90.0.5")
    with NasEmulator(mode="ack") as emulator:
        nas = NasFactory(address="127.0.0.1", coa_port=emulator.port)
        _session(customer, nas, sid="on-lease", address="10.90.0.5")
        _session(customer, nas, sid="other", address="10.90.0.6")
        assert network_services.end_lease(lease=lease, reason="deleted")
        [change] = AccessChange.objects.filter(customer=customer, reason="lease_ended")
        apply_changes([change.pk])
    assert [p.text(codec.ACCT_SESSION_ID) for p in emulator.received] == ["on-lease"]
    lease.refresh_from_db()
    assert lease.ended_at is not None and lease.end_reason == "deleted"


def test_one_job_applies_a_batch_in_parallel_and_records_each_answer(fast_coa):  # type: ignore[no-untyped-def]
    customers = [CustomerFactory(pppoe=True) for _ in range(30)]
    with NasEmulator(mode="ack") as emulator:
        nas = NasFactory(address="127.0.0.1", coa_port=emulator.port)
        for n, customer in enumerate(customers):
            _session(customer, nas, sid=f"S{n}", address=f"10.92.0.{n + 1}")
        changes = on_access_changed(customer_ids=[c.pk for c in customers], reason="blocked")
        assert ProcrastinateJob.objects.filter(task_name="aaa.apply_access").count() == 1
        assert apply_changes([c.pk for c in changes]) == []
    assert len(emulator.received) == 30
    assert NasAttempt.objects.filter(result="ack").count() == 30
    assert set(AccessChange.objects.values_list("state", flat=True)) == {"applied"}


def test_a_large_batch_is_split_into_jobs_that_each_apply_their_part(fast_coa, monkeypatch):  # type: ignore[no-untyped-def]
    from lastmile.aaa import apply

    monkeypatch.setattr(apply, "BATCH_SIZE", 10)
    customers = [CustomerFactory(pppoe=True) for _ in range(25)]
    with NasEmulator(mode="ack") as emulator:
        nas = NasFactory(address="127.0.0.1", coa_port=emulator.port)
        for n, customer in enumerate(customers):
            _session(customer, nas, sid=f"B{n}", address=f"10.93.0.{n + 1}")
        changes = on_access_changed(customer_ids=[c.pk for c in customers], reason="blocked")
        jobs = ProcrastinateJob.objects.filter(task_name="aaa.apply_access").order_by("id")
        parts = [job.args["change_ids"] for job in jobs]
        assert [len(p) for p in parts] == [10, 10, 5]
        assert sorted(i for p in parts for i in p) == sorted(c.pk for c in changes)
        for part in parts:
            assert apply_changes(part) == []
    assert sorted(p.text(codec.ACCT_SESSION_ID) for p in emulator.received) == sorted(
        f"B{n}" for n in range(25)
    )
    assert set(AccessChange.objects.values_list("state", flat=True)) == {"applied"}
    # One acknowledged request per session (these customers are active without a
    # paid period, so the policy moves them to the guest profile by CoA).
    assert NasAttempt.objects.filter(result="ack").count() == 25
