"""Delivery to real peers: SMTP (aiosmtpd), Telegram Bot API, SMS gateway and
webhooks over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.utils import timezone

from lastmile.notifications import events
from lastmile.notifications.delivery import deliver_due, retry_delay
from lastmile.notifications.models import Outbox
from lastmile.notifications.services import notify
from tests.factories import CustomerFactory, TelegramLinkFactory, UserFactory

pytestmark = pytest.mark.django_db


def _customer(**kwargs):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(reachable=True, **kwargs)
    TelegramLinkFactory(customer=customer, chat_id=777001)
    return customer


def _pay(customer, key="pay-1"):  # type: ignore[no-untyped-def]
    return notify(
        event=events.PAYMENT_RECEIVED,
        customer=customer,
        context={"amount": Decimal("500.00"), "balance": Decimal("742.50")},
        dedup_key=key,
    )


def test_payment_reaches_every_channel_with_exact_money(channels):
    smtp, http = channels
    customer = _customer(email="ivan@example.net", phones=["+79991234567"])

    rows = _pay(customer)

    assert sorted(r.channel for r in rows) == ["email", "sms", "telegram", "webhook"]
    assert deliver_due() == 4
    assert len(smtp.messages) == 1
    email = smtp.messages[0]
    assert email["To"] == "ivan@example.net"
    assert email["Subject"] == "Payment received"
    text = email.get_content()
    assert "500.00" in text and "742.50" in text

    (tg,) = http.calls("/sendMessage")
    assert tg.json()["chat_id"] == "777001"
    assert "500.00" in tg.json()["text"]

    (sms,) = http.calls("/sms")
    assert sms.query["to"] == ["+79991234567"]
    assert "500.00" in sms.query["msg"][0]
    assert sms.query["from"] == ["ISP"]

    (hook,) = http.calls("/hook")
    assert http.bad_signatures == 0
    document = hook.json()
    assert document["event"] == "payment_received"
    assert document["data"]["amount"] == "500.00"  # a string, never a float
    assert {r.state for r in Outbox.objects.all()} == {"sent"}


def test_payload_keeps_money_as_strings(channels):
    customer = _customer()
    (row, *_rest) = _pay(customer)
    row.refresh_from_db()
    assert row.payload["context"]["amount"] == "500.00"
    assert isinstance(row.payload["context"]["balance"], str)


def test_repeat_with_same_key_sends_nothing_twice(channels):
    smtp, http = channels
    customer = _customer()
    first = _pay(customer)
    deliver_due()
    again = _pay(customer)
    assert [r.pk for r in again] == [r.pk for r in first]
    assert deliver_due() == 0
    assert len(smtp.messages) == 1
    assert len(http.calls("/sendMessage")) == 1


def test_webhook_receiver_rejects_a_wrong_secret(channels, monkeypatch, settings):
    from pydantic import SecretStr

    _smtp, http = channels
    monkeypatch.setattr(settings.LASTMILE, "webhook_secret", SecretStr("not-the-shared-one"))
    customer = CustomerFactory(reachable=True)
    _pay(customer)
    deliver_due()
    assert http.bad_signatures == 1
    hook = Outbox.objects.get(channel="webhook")
    # 401 is a permanent refusal: not retried forever.
    assert hook.state == "failed"
    assert "HTTP 401" in hook.last_error


def test_webhook_signature_helper_round_trip():
    from lastmile.notifications.channels.webhook import sign, verify

    body = b'{"a": 1}'
    ts = str(int(timezone.now().timestamp()))
    assert verify("k", ts, body, sign("k", ts, body))
    assert not verify("k", ts, body + b" ", sign("k", ts, body))
    assert not verify("k", "1000", body, sign("k", "1000", body))  # stale


def test_staff_member_gets_ticket_assigned_by_email(channels):
    smtp, _http = channels
    tech = UserFactory(username="tech-mail", email="tech@isp.test", phone="")
    notify(
        event=events.TICKET_ASSIGNED,
        staff_user=tech,
        context={**events.SAMPLE_CONTEXTS[events.TICKET_ASSIGNED], "ticket_id": 9},
        dedup_key="ta-9",
    )
    deliver_due()
    assert [m["To"] for m in smtp.messages] == ["tech@isp.test"]
    assert "#9" in smtp.messages[0]["Subject"]


def test_peer_down_is_retried_with_backoff_then_failed(
    channels, monkeypatch, settings, dead_port, admin_client
):
    monkeypatch.setattr(settings.LASTMILE, "smtp_port", dead_port)
    monkeypatch.setattr(settings.LASTMILE, "notify_max_attempts", 3)
    customer = CustomerFactory(reachable=True)
    notify(
        event=events.BALANCE_LOW,
        customer=customer,
        context={"balance": Decimal("10.00"), "threshold": Decimal("100.00")},
        dedup_key="low-1",
    )
    row = Outbox.objects.get(channel="email")
    for attempt in (1, 2):
        before = timezone.now()
        deliver_due()
        row.refresh_from_db()
        assert row.state == "queued"
        assert row.attempts == attempt
        assert "Cannot deliver" in row.last_error
        assert row.next_attempt_at >= before + retry_delay(attempt)
        # Not due yet: a second pass now sends nothing.
        deliver_due()
        row.refresh_from_db()
        assert row.attempts == attempt
        Outbox.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    deliver_due()
    row.refresh_from_db()
    assert row.state == "failed"
    assert row.attempts == 3

    page = admin_client.get("/notifications/", {"state": "failed"})
    assert page.status_code == 200
    assert customer.email in page.content.decode()
    detail = admin_client.get(f"/notifications/{row.pk}/")
    assert "Cannot deliver" in detail.content.decode()


def test_backoff_doubles_and_is_capped(settings, monkeypatch):
    monkeypatch.setattr(settings.LASTMILE, "notify_retry_base_s", 30)
    monkeypatch.setattr(settings.LASTMILE, "notify_retry_cap_s", 600)
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 5, 6)] == [
        30,
        60,
        120,
        240,
        480,
        600,
    ]


def test_peer_answering_500_is_retried_and_later_sent(channels):
    _smtp, http = channels
    customer = _customer()
    _pay(customer)
    http.status = 500
    deliver_due()
    tg = Outbox.objects.get(channel="telegram")
    sms = Outbox.objects.get(channel="sms")
    assert (tg.state, sms.state) == ("queued", "queued")
    assert "HTTP 500" in tg.last_error and "HTTP 500" in sms.last_error

    http.status = 200
    Outbox.objects.filter(state="queued").update(next_attempt_at=timezone.now())
    deliver_due()
    assert set(Outbox.objects.values_list("state", flat=True)) == {"sent"}


def test_sms_gateway_not_confirming_is_an_error(channels):
    _smtp, http = channels
    http.sms_answer = "ERROR: no balance"
    _pay(CustomerFactory(reachable=True))
    deliver_due()
    sms = Outbox.objects.get(channel="sms")
    assert sms.state == "queued"
    assert "did not confirm" in sms.last_error


def test_sms_text_is_url_encoded(channels):
    _smtp, http = channels
    customer = CustomerFactory(reachable=True, full_name="Иван & Co")
    _pay(customer)
    deliver_due()
    (sms,) = http.calls("/sms")
    assert sms.query["msg"][0].startswith("Dear Иван & Co, we received")
    assert "%" not in unquote(sms.query["msg"][0])


def test_unconfigured_channels_are_not_enqueued(no_channels, monkeypatch, settings, smtp_peer):
    monkeypatch.setattr(settings.LASTMILE, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings.LASTMILE, "smtp_port", smtp_peer.port)
    rows = _pay(_customer())
    assert [r.channel for r in rows] == ["email"]


def test_webhook_body_is_json_with_event_and_key(channels):
    _pay(CustomerFactory(reachable=True), key="pay-xyz")
    hook = Outbox.objects.get(channel="webhook")
    document = json.loads(hook.body)
    assert document["id"] == "pay-xyz"
    assert document["data"]["balance"] == "742.50"


def test_released_stale_rows_are_requeued(channels):
    from lastmile.notifications.delivery import release_stale

    _pay(CustomerFactory(reachable=True))
    Outbox.objects.update(state="sending", claimed_at=timezone.now() - timedelta(hours=1))
    assert release_stale() == Outbox.objects.count()
    assert deliver_due() == Outbox.objects.count()
