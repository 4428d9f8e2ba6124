"""Shared fixtures.  Tests run against a real embedded PostgreSQL cluster of
their own (var/pg-test, set in pyproject.toml), started once per run and stopped at its end; each
test session gets a fresh ``test_lastmile`` database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.test.utils import override_settings

from lastmile.conf import get_settings
from lastmile.db.embedded import EmbeddedClusterError
from tests.factories import UserFactory


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start the database first: if it cannot start, say why once and run nothing."""
    if get_settings().database_url:
        return
    from lastmile.db.runtime import ensure_embedded

    try:
        ensure_embedded()
    except EmbeddedClusterError as exc:
        pytest.exit(f"cannot start the embedded PostgreSQL: {exc}", returncode=3)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Same algorithm and format as production, far fewer rounds (why: tests/hashers.py)."""
    production = "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    hashers = [h for h in django_settings.PASSWORD_HASHERS if h != production]
    with override_settings(PASSWORD_HASHERS=["tests.hashers.CheapPBKDF2PasswordHasher", *hashers]):
        yield


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the default language: a test that activated Russian
    in this thread must not change the messages the next one reads."""
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def admin_user(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def admin_client(admin_user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def sites_enabled(settings):  # type: ignore[no-untyped-def]
    """Turn the sites dimension on for one test."""
    conf = settings.LASTMILE
    previous = conf.sites_enabled
    conf.sites_enabled = True
    yield
    conf.sites_enabled = previous
