"""Subscribers choose channels, opt out, and quiet hours hold SMS back at night."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine

from lastmile.notifications import events
from lastmile.notifications.delivery import deliver_due
from lastmile.notifications.models import Outbox
from lastmile.notifications.services import notify, set_preferences
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

MSK = zoneinfo.ZoneInfo("Europe/Moscow")


def _low(customer, key="low"):  # type: ignore[no-untyped-def]
    return notify(
        event=events.BALANCE_LOW,
        customer=customer,
        context={"balance": Decimal("5.00"), "threshold": Decimal("100.00")},
        dedup_key=key,
    )


def test_only_chosen_channels_are_used(channels):
    customer = CustomerFactory(reachable=True)
    set_preferences(customer=customer, channels=["sms"])
    assert sorted(r.channel for r in _low(customer)) == ["sms", "webhook"]


def test_opted_out_subscriber_gets_nothing_but_webhooks_still_fire(channels):
    customer = CustomerFactory(reachable=True)
    set_preferences(customer=customer, channels=["email", "sms"], is_opted_out=True)
    assert [r.channel for r in _low(customer)] == ["webhook"]


def test_muted_event_is_not_sent(channels):
    customer = CustomerFactory(reachable=True)
    set_preferences(customer=customer, channels=["email"], muted_events=[events.BALANCE_LOW])
    assert [r.channel for r in _low(customer)] == ["webhook"]


def test_unknown_event_is_refused():
    from lastmile.notifications.errors import UnknownEvent

    with pytest.raises(UnknownEvent):
        notify(event="payment_recieved", context={}, dedup_key="x")


def test_sms_waits_for_the_end_of_quiet_hours(channels, monkeypatch, settings):
    monkeypatch.setattr(settings.LASTMILE, "notify_quiet_hours_start", 22)
    monkeypatch.setattr(settings.LASTMILE, "notify_quiet_hours_end", 8)
    _smtp, http = channels
    customer = CustomerFactory(reachable=True)
    with time_machine.travel(datetime(2026, 11, 27, 23, 30, tzinfo=MSK), tick=False):
        _low(customer)
        deliver_due()
        sms = Outbox.objects.get(channel="sms")
        assert sms.state == "queued"
        assert sms.next_attempt_at == datetime(2026, 11, 28, 8, 0, tzinfo=MSK)
        assert Outbox.objects.get(channel="email").state == "sent"  # e-mail is not held
        assert http.calls("/sms") == []
    with time_machine.travel(datetime(2026, 11, 28, 8, 1, tzinfo=MSK), tick=False):
        deliver_due()
    assert Outbox.objects.get(channel="sms").state == "sent"
    assert len(http.calls("/sms")) == 1


def test_retry_falling_into_quiet_hours_is_postponed_without_costing_an_attempt(
    channels, monkeypatch, settings
):
    _smtp, http = channels
    customer = CustomerFactory(reachable=True)
    set_preferences(customer=customer, channels=["sms"])
    with time_machine.travel(datetime(2026, 11, 27, 21, 59, tzinfo=MSK), tick=False):
        _low(customer)
    monkeypatch.setattr(settings.LASTMILE, "notify_quiet_hours_start", 22)
    monkeypatch.setattr(settings.LASTMILE, "notify_quiet_hours_end", 8)
    with time_machine.travel(datetime(2026, 11, 27, 22, 5, tzinfo=MSK), tick=False):
        deliver_due()
    sms = Outbox.objects.get(channel="sms")
    assert sms.state == "queued" and sms.attempts == 0
    assert sms.next_attempt_at == datetime(2026, 11, 28, 8, 0, tzinfo=MSK)
    assert http.calls("/sms") == []
