"""The admin site's login is throttled like /login/ (probe 6.5), and the admin
site can be turned off (LASTMILE_ADMIN_ENABLED)."""

from __future__ import annotations

import importlib

import pytest
from django.test import Client
from django.urls import clear_url_caches

from lastmile.accounts.models import AuthEvent
from lastmile.conf import Settings
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _admin_login(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
    )


def _staff_login(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": username, "password": password})


def test_twelve_wrong_admin_passwords_then_the_right_one_does_not_log_in():
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(12):
        assert _admin_login(client, "root", "guess").status_code == 200
    response = _admin_login(client, "root", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed logins" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # still not logged in


def test_a_user_throttled_on_the_staff_login_cannot_log_in_on_the_admin_site(settings):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(settings.LASTMILE.login_max_failures):
        _staff_login(client, "boss", "guess")
    response = _admin_login(Client(), "boss", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed logins" in response.content.decode()
    assert AuthEvent.objects.filter(username="boss", kind="throttled").exists()
    assert not AuthEvent.objects.filter(username="boss", kind="login").exists()


def test_admin_failures_count_against_the_staff_login(settings):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    for _ in range(settings.LASTMILE.login_max_failures):
        _admin_login(Client(), "boss", "guess")
    response = _staff_login(Client(), "boss", PASSWORD)
    assert "Too many failed logins" in response.content.decode()


def test_the_admin_login_still_works():
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    response = _admin_login(client, "root", PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_admin_site_can_be_turned_off():
    production = Settings(demo=False, secret_key="x" * 50, encryption_key="y" * 44)
    assert production.admin_enabled is True  # staff and permissions are managed there
    assert Settings(demo=False, admin_enabled=False).admin_enabled is False


@pytest.fixture
def admin_disabled(settings):  # type: ignore[no-untyped-def]
    import lastmile.urls

    conf = settings.LASTMILE
    conf.admin_enabled = False
    importlib.reload(lastmile.urls)
    clear_url_caches()
    yield
    conf.admin_enabled = True
    importlib.reload(lastmile.urls)
    clear_url_caches()


def test_a_disabled_admin_site_is_not_served(admin_disabled, admin_client):
    assert Client().get("/admin/login/").status_code == 404
    assert admin_client.get("/admin/").status_code == 404
    page = admin_client.get("/")
    assert page.status_code == 200
    assert b"/admin/" not in page.content
