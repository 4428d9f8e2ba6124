"""Linking a subscriber's Telegram chat with a one-time code (/start CODE)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from lastmile.notifications.errors import LinkCodeInvalid
from lastmile.notifications.models import ChannelCursor, TelegramLink
from lastmile.notifications.telegram import issue_link_code, link_chat, poll_updates
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _start(update_id: int, chat_id: int, text: str) -> dict:
    return {
        "update_id": update_id,
        "message": {"message_id": 1, "chat": {"id": chat_id, "username": "ivan"}, "text": text},
    }


def test_start_code_from_getupdates_links_the_chat(channels):
    _smtp, http = channels
    customer = CustomerFactory(reachable=True)
    code = issue_link_code(customer=customer)
    http.updates = [_start(100, 5550001, "hello"), _start(101, 5550001, f"/start {code.code}")]

    assert poll_updates() == 2
    link = TelegramLink.objects.get(customer=customer)
    assert link.chat_id == 5550001 and link.chat_username == "ivan"
    replies = [r.json() for r in http.calls("/sendMessage")]
    assert replies == [{"chat_id": 5550001, "text": replies[0]["text"]}]
    assert "linked" in replies[0]["text"]
    assert ChannelCursor.objects.get(name="telegram.updates").value == 101

    # The next poll asks only for newer updates: nothing is processed twice.
    assert poll_updates() == 0
    assert http.calls("/getUpdates")[-1].query["offset"] == ["102"]


def test_code_is_one_time(channels):
    customer = CustomerFactory(reachable=True)
    code = issue_link_code(customer=customer)
    link_chat(code=code.code, chat_id=1)
    with pytest.raises(LinkCodeInvalid):
        link_chat(code=code.code, chat_id=2)
    assert TelegramLink.objects.get(customer=customer).chat_id == 1


def test_expired_code_is_refused_and_user_is_told(channels):
    _smtp, http = channels
    customer = CustomerFactory(reachable=True)
    code = issue_link_code(customer=customer)
    http.updates = [_start(7, 42, f"/start {code.code}")]
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        poll_updates()
    assert not TelegramLink.objects.filter(customer=customer).exists()
    assert "expired" in http.calls("/sendMessage")[0].json()["text"]


def test_new_code_invalidates_the_old_one():
    customer = CustomerFactory(reachable=True)
    old = issue_link_code(customer=customer)
    issue_link_code(customer=customer)
    with pytest.raises(LinkCodeInvalid):
        link_chat(code=old.code, chat_id=3)


def test_relinking_moves_to_the_new_chat():
    customer = CustomerFactory(reachable=True)
    link_chat(code=issue_link_code(customer=customer).code, chat_id=10)
    link_chat(code=issue_link_code(customer=customer).code, chat_id=11)
    assert list(
        TelegramLink.objects.filter(customer=customer).values_list("chat_id", flat=True)
    ) == [11]


def test_staff_api_issues_code(admin_client):
    customer = CustomerFactory(reachable=True)
    response = admin_client.post(f"/api/v1/notifications/customers/{customer.pk}/telegram-code")
    assert response.status_code == 200
    assert len(response.json()["code"]) == 8
