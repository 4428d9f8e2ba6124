"""Personas for customers tests: the owner of site North, a colleague of the
same site, and an outsider from site South."""

from __future__ import annotations

import pytest
from django.test import Client

from lastmile.customers.models import Customer, CustomerGroup, ExtraField
from tests.factories import CustomerFactory, SiteFactory, UserFactory, grant


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def north(db):  # type: ignore[no-untyped-def]
    return SiteFactory(name="North", slug="north")


@pytest.fixture
def south(db):  # type: ignore[no-untyped-def]
    return SiteFactory(name="South", slug="south")


@pytest.fixture
def owner(north):  # type: ignore[no-untyped-def]
    """May view, add and change the customers of site North."""
    user = UserFactory(username="north-owner", site=north)
    grant(user, Customer, ["view", "add", "change"], {"site__slug": "north"})
    grant(user, CustomerGroup, ["view"])
    grant(user, ExtraField, ["view"])
    return user


@pytest.fixture
def colleague(north):  # type: ignore[no-untyped-def]
    """Same site as the owner, granted through "$site" (their own site)."""
    user = UserFactory(username="north-colleague", site=north)
    grant(user, Customer, ["view", "change"], {"site": "$site"})
    return user


@pytest.fixture
def outsider(south):  # type: ignore[no-untyped-def]
    user = UserFactory(username="south-staff", site=south)
    grant(user, Customer, ["view", "add", "change"], {"site__slug": "south"})
    return user


@pytest.fixture
def north_customer(north):  # type: ignore[no-untyped-def]
    return CustomerFactory(login="north1", site=north)


@pytest.fixture
def south_customer(south):  # type: ignore[no-untyped-def]
    return CustomerFactory(login="south1", site=south)


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"
