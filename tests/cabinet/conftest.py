"""Subscribers with a cabinet password, and clients logged in to the cabinet."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lastmile.cabinet import services
from lastmile.customers.models import Customer
from tests.factories import CustomerFactory

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
