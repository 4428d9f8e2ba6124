"""A staff member's list of their sessions, with ending one of them."""

from __future__ import annotations

import pytest
from django.test import Client

from lastmile.accounts.models import StaffSession
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _log_in(address: str, agent: str) -> Client:
    client = Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    response = client.post("/login/", {"username": "olga", "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def olga(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="olga")


def test_the_list_shows_every_live_session(olga):
    laptop = _log_in("192.0.2.1", "Laptop Firefox")
    _log_in("192.0.2.2", "Phone Chrome")
    page = laptop.get("/accounts/sessions/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "192.0.2.1" in text and "192.0.2.2" in text
    assert "Phone Chrome" in text
    assert "this session" in text


def test_ending_a_session_logs_that_browser_out(olga):
    laptop = _log_in("192.0.2.1", "Laptop")
    phone = _log_in("192.0.2.2", "Phone")
    assert phone.get("/").status_code == 200
    row = StaffSession.objects.get(user=olga, user_agent="Phone")
    response = laptop.post(f"/accounts/sessions/{row.pk}/end/")
    assert response.status_code == 302
    assert phone.get("/").status_code == 302  # back to the login page
    assert laptop.get("/").status_code == 200
    assert not StaffSession.objects.filter(pk=row.pk).exists()


def test_someone_elses_session_is_not_found(olga):
    UserFactory(username="ivan")
    ivan = Client()
    assert ivan.post("/login/", {"username": "ivan", "password": PASSWORD}).status_code == 302
    theirs = StaffSession.objects.get(user__username="ivan")
    laptop = _log_in("192.0.2.1", "Laptop")
    assert laptop.post(f"/accounts/sessions/{theirs.pk}/end/").status_code == 404
    assert ivan.get("/").status_code == 200


def test_logged_out_and_expired_sessions_leave_the_list(olga):
    laptop = _log_in("192.0.2.1", "Laptop")
    phone = _log_in("192.0.2.2", "Phone")
    phone.post("/logout/")
    text = laptop.get("/accounts/sessions/").content.decode()
    assert "192.0.2.2" not in text
    assert StaffSession.objects.filter(user=olga).count() == 1
