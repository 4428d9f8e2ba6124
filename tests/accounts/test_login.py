"""Staff login: clear errors, audit of every attempt, throttling, CSRF."""

from __future__ import annotations

import pytest
from django.test import Client

from lastmile.accounts.models import AuthEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": username, "password": password})


def test_login_page_renders():
    response = Client().get("/login/")
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_successful_login_and_logout_are_recorded():
    UserFactory(username="cashier")
    client = Client()
    response = _login(client, "cashier", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")
    kinds = list(
        AuthEvent.objects.filter(username="cashier").order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["login", "logout"]


def test_wrong_password_shows_clear_message_and_is_recorded():
    UserFactory(username="cashier")
    response = _login(Client(), "cashier", "wrong")
    assert response.status_code == 200
    assert "Wrong username or password" in response.content.decode()
    assert AuthEvent.objects.filter(username="cashier", kind="login_failed").count() == 1


def test_five_failures_in_a_row_throttle_even_the_right_password():
    UserFactory(username="target")
    client = Client()
    for _ in range(5):
        _login(client, "target", "guess")
    response = _login(client, "target", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed logins" in response.content.decode()
    assert AuthEvent.objects.filter(username="target", kind="throttled").exists()
    assert not AuthEvent.objects.filter(username="target", kind="login").exists()


def test_success_resets_the_failure_count():
    UserFactory(username="forgetful")
    client = Client()
    for _ in range(4):
        _login(client, "forgetful", "guess")
    assert _login(client, "forgetful", PASSWORD).status_code == 302
    client.post("/logout/")
    for _ in range(4):
        _login(client, "forgetful", "guess")
    assert _login(client, "forgetful", PASSWORD).status_code == 302


def test_missing_csrf_is_refused():
    UserFactory(username="cashier")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "cashier", "password": PASSWORD})
    assert response.status_code == 403
    assert not AuthEvent.objects.filter(kind="login").exists()


def test_inactive_staff_cannot_log_in():
    UserFactory(username="former", is_active=False)
    response = _login(Client(), "former", PASSWORD)
    assert response.status_code == 200


def test_auth_events_are_append_only():
    from django.db import ProgrammingError, transaction

    event = AuthEvent.objects.create(kind="login", username="x")
    with pytest.raises(ProgrammingError), transaction.atomic():
        AuthEvent.objects.filter(pk=event.pk).update(username="y")
    with pytest.raises(ProgrammingError), transaction.atomic():
        AuthEvent.objects.filter(pk=event.pk).delete()


def test_login_log_page_is_for_admins(admin_client):
    UserFactory(username="someone")
    _login(Client(), "someone", "bad")
    page = admin_client.get("/accounts/login-events/?kind=login_failed")
    assert page.status_code == 200
    assert b"someone" in page.content
    outsider = Client()
    outsider.force_login(UserFactory(username="plain"))
    assert outsider.get("/accounts/login-events/").status_code == 403


def test_failures_from_one_address_throttle_every_account_from_it(settings):
    UserFactory(username="victim")
    client = Client(REMOTE_ADDR="192.0.2.10")
    for n in range(settings.LASTMILE.login_max_failures_per_address):
        _login(client, f"spray{n}", "guess")
    response = _login(client, "victim", PASSWORD)
    assert "Too many failed logins" in response.content.decode()
    # The same account from another address is not locked by that address.
    assert _login(Client(REMOTE_ADDR="192.0.2.11"), "victim", PASSWORD).status_code == 302


def test_one_address_below_its_limit_is_not_throttled(settings):
    UserFactory(username="victim")
    client = Client(REMOTE_ADDR="192.0.2.12")
    for n in range(settings.LASTMILE.login_max_failures_per_address - 1):
        _login(client, f"typo{n}", "guess")
    assert _login(client, "victim", PASSWORD).status_code == 302


def test_an_own_good_login_does_not_reset_the_address_count(settings):
    UserFactory(username="attacker")
    UserFactory(username="victim")
    client = Client(REMOTE_ADDR="192.0.2.13")
    limit = settings.LASTMILE.login_max_failures_per_address
    for n in range(limit - 1):
        _login(client, f"victim{n}", "guess")
    assert _login(client, "attacker", PASSWORD).status_code == 302
    client.post("/logout/")
    _login(client, "victim", "guess")
    assert "Too many failed logins" in _login(client, "victim", PASSWORD).content.decode()


def test_the_throttle_ends_after_the_window(settings, time_machine):
    UserFactory(username="target")
    time_machine.move_to("2026-12-01 10:00:00+00:00", tick=False)
    client = Client()
    for _ in range(settings.LASTMILE.login_max_failures):
        _login(client, "target", "guess")
    assert "Too many failed logins" in _login(client, "target", PASSWORD).content.decode()
    time_machine.shift(settings.LASTMILE.login_lockout_s + 1)
    assert _login(client, "target", PASSWORD).status_code == 302


def test_the_throttle_never_stores_a_typed_password(db):
    from axes.models import AccessAttempt

    from tests.cabinet.conftest import make_subscriber

    make_subscriber(login="alice")
    _login(Client(), "cashier", "S3cret-guess-staff")
    Client().post("/cabinet/login/", {"login": "alice", "password": "S3cret-guess-cab"})
    stored = " ".join(f"{a.get_data} {a.post_data}" for a in AccessAttempt.objects.all())
    assert AccessAttempt.objects.count() == 2
    assert "S3cret-guess" not in stored
