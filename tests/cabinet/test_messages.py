"""The subscriber's messages: what the outbox sent them, one entry per notice
(the e-mail copy first), on a cabinet page and at /api/v1/me/messages; never
one-time codes, webhooks, staff notices or another customer's messages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lastmile.notifications.models import Outbox
from tests.cabinet.conftest import bearer

pytestmark = pytest.mark.django_db


def _sent(customer: Any, key: str, channel: str = "email", **fields: Any) -> Outbox:
    values: dict[str, Any] = {
        "event": "payment_received",
        "subject": "Payment received",
        "body": "We received 500.00.",
        "recipient": "alice@example.net" if channel == "email" else "+79001112233",
        "state": "sent",
        "sent_at": timezone.now(),
    }
    values.update(fields)
    return Outbox.objects.create(customer=customer, channel=channel, dedup_key=key, **values)


def test_one_entry_per_notice_with_the_email_copy(cabinet, subscriber):
    _sent(subscriber, "pay:1", channel="sms", subject="", body="SMS: 500.00 received")
    _sent(subscriber, "pay:1")
    _sent(subscriber, "tariff:1", event="tariff_changed", subject="Tariff changed", body="Home 300")
    page = cabinet.get("/cabinet/messages/").content.decode()
    assert page.count("<li>") >= 2
    assert "We received 500.00." in page and "SMS: 500.00 received" not in page
    assert page.index("Tariff changed") < page.index("Payment received")  # newest first
    assert 'href="/cabinet/messages/" aria-current="page"' in page


def test_codes_webhooks_unsent_staff_and_others_are_not_listed(cabinet, subscriber, outsider):
    _sent(subscriber, "code:1", event="one_time_code", subject="Your code", body="Code: [code]")
    _sent(subscriber, "hook:1", channel="webhook", recipient="https://hooks.example/x")
    _sent(subscriber, "queued:1", state="queued", sent_at=None, subject="Not yet")
    _sent(outsider, "theirs:1", subject="Mallory's payment")
    _sent(None, "staff:1", event="ticket_assigned", subject="Ticket assigned")
    page = cabinet.get("/cabinet/messages/").content.decode()
    for hidden in ("Your code", "Not yet", "Mallory", "Ticket assigned", "hooks.example"):
        assert hidden not in page, hidden
    assert "No messages yet." in page


def test_the_api_lists_the_same_messages(subscriber, outsider):
    _sent(subscriber, "pay:1", channel="sms", subject="", body="SMS copy")
    _sent(subscriber, "pay:1")
    _sent(outsider, "theirs:1")
    answer = Client(headers=bearer(subscriber)).get("/api/v1/me/messages")
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["channel"], item["subject"], item["event"]) == (
        "email",
        "Payment received",
        "payment_received",
    )
    assert Client().get("/api/v1/me/messages").status_code == 401


def test_the_page_is_russian_in_russian(cabinet, subscriber):
    _sent(subscriber, "pay:1", subject="")
    cabinet.cookies["django_language"] = "ru"
    page = cabinet.get("/cabinet/messages/").content.decode()
    # A notice without a subject (an SMS-only one) is titled by its event.
    assert "<h1>Сообщения</h1>" in page and "Платёж получен" in page
