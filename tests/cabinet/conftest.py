"""Subscribers with a cabinet password, and clients logged in to the cabinet."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from lastmile.cabinet import services
from lastmile.cabinet.models import VerifiedContact
from lastmile.customers.models import Customer
from lastmile.notifications.delivery import message_of
from lastmile.notifications.models import Outbox
from tests.factories import CustomerFactory, TicketKindFactory

PASSWORD = "Violet-Harbor-58"


def make_subscriber(*, password: str = PASSWORD, **fields: Any) -> Customer:
    customer = CustomerFactory(**fields)
    customer.set_cabinet_password(password)
    customer.save(update_fields=["cabinet_password"])
    return customer


def cabinet_login(client: Client, customer: Customer, password: str = PASSWORD) -> Client:
    response = client.post("/cabinet/login/", {"login": customer.login, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def bearer(customer: Customer) -> dict[str, str]:
    _token, raw = services.create_token(customer=customer, name="test")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture(autouse=True)
def fast_hashers(settings):  # type: ignore[no-untyped-def]
    # PBKDF2 at a million rounds per login would make these tests slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def subscriber(db) -> Customer:  # type: ignore[no-untyped-def]
    return make_subscriber(login="alice", full_name="Alice Doe", balance="1000.00")


@pytest.fixture
def outsider(db) -> Customer:  # type: ignore[no-untyped-def]
    return make_subscriber(login="mallory", full_name="Mallory Roe", balance="777.00")


@pytest.fixture
def cabinet(subscriber) -> Client:  # type: ignore[no-untyped-def]
    return cabinet_login(Client(), subscriber)


@pytest.fixture
def code_channels(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """E-mail and SMS on, so one-time codes reach the outbox."""
    monkeypatch.setattr(settings.LASTMILE, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings.LASTMILE, "sms_url_template", "http://127.0.0.1:9/?to={phone}")


@pytest.fixture
def confirmed(db) -> Customer:  # type: ignore[no-untyped-def]
    """bob, with a confirmed e-mail and phone."""
    customer = make_subscriber(login="bob", email="bob@example.net", phones=["+7 900 111-22-33"])
    VerifiedContact.objects.create(customer=customer, kind="email", value="bob@example.net")
    VerifiedContact.objects.create(customer=customer, kind="phone", value="+7 900 111-22-33")
    return customer


def sent_code(customer: Customer, channel: str = "email") -> str:
    """The six digits of the customer's one-time code, as sent (not as stored)."""
    row = Outbox.objects.filter(customer=customer, event="one_time_code", channel=channel).first()
    assert row is not None, "no code in the outbox"
    match = re.search(r"\b(\d{6})\b", message_of(row).body)
    assert match, message_of(row).body
    return match.group(1)


@pytest.fixture
def repair(db):  # type: ignore[no-untyped-def]
    """A kind for requests (a transactional test may have flushed the seeded ones)."""
    return TicketKindFactory(code="repair", name="Repair")
