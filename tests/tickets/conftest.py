from __future__ import annotations

import pytest
from django.test import Client

from lastmile.customers.models import Customer
from lastmile.tickets.models import Ticket
from tests.factories import CustomerFactory, SiteFactory, TicketKindFactory, UserFactory, grant


@pytest.fixture
def north(db):  # type: ignore[no-untyped-def]
    return SiteFactory(name="North", slug="north")


@pytest.fixture
def south(db):  # type: ignore[no-untyped-def]
    return SiteFactory(name="South", slug="south")


@pytest.fixture
def kind(db):  # type: ignore[no-untyped-def]
    return TicketKindFactory(code="repair")


@pytest.fixture
def dispatcher(north):  # type: ignore[no-untyped-def]
    """May do anything with tickets and customers of the North site."""
    user = UserFactory(username="dispatcher", site=north, email="dispatcher@isp.test")
    grant(user, Ticket, ["view", "add", "change"], {"site__slug": "north"})
    grant(user, Customer, ["view"], {"site__slug": "north"})
    return user


@pytest.fixture
def tech(north):  # type: ignore[no-untyped-def]
    """A North technician: sees the North tickets."""
    user = UserFactory(username="tech", site=north, email="tech@isp.test", first_name="Pavel")
    grant(user, Ticket, ["view"], {"site__slug": "north"})
    return user


@pytest.fixture
def south_tech(south):  # type: ignore[no-untyped-def]
    user = UserFactory(username="south-tech", site=south)
    grant(user, Ticket, ["view"], {"site__slug": "south"})
    return user


@pytest.fixture
def retired(north):  # type: ignore[no-untyped-def]
    """Was a North technician; the account is inactive now."""
    user = UserFactory(username="retired", site=north, is_active=False)
    grant(user, Ticket, ["view"], {"site__slug": "north"})
    return user


@pytest.fixture
def customer(north):  # type: ignore[no-untyped-def]
    return CustomerFactory(
        reachable=True, login="north-cust", site=north, street="Lenina", house="1"
    )


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def email_on(monkeypatch, settings):  # type: ignore[no-untyped-def]
    """E-mail is the one channel on, quiet hours off, English unless a test says."""
    conf = settings.LASTMILE
    monkeypatch.setattr(conf, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(conf, "webhook_urls", [])
    monkeypatch.setattr(conf, "notify_quiet_hours_start", 0)
    monkeypatch.setattr(conf, "notify_quiet_hours_end", 0)
    monkeypatch.setattr(conf, "language_code", "en")
    return conf
