"""Logging in to the cabinet: messages, throttling, the login log, separate sessions."""

from __future__ import annotations

import pytest
from django.test import Client

from lastmile.cabinet.models import CabinetAuthEvent, CabinetToken
from lastmile.cabinet.session import COOKIE
from tests.cabinet.conftest import PASSWORD, cabinet_login, make_subscriber

pytestmark = pytest.mark.django_db


def test_login_with_login_shows_the_balance(subscriber):
    client = Client()
    response = client.post("/cabinet/login/", {"login": "ALICE", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/cabinet/"
    # Money in the page's language, grouped, with the currency (issue 16).
    assert 'data-testid="balance">1,000.00\u00a0₽<' in response.content.decode()
    assert CabinetAuthEvent.objects.filter(kind="login", customer=subscriber).count() == 1


def test_login_with_contract_number(subscriber):
    response = Client().post(
        "/cabinet/login/", {"login": subscriber.contract_number, "password": PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("login", ["alice", "nobody"])
def test_wrong_login_or_password_is_a_message_not_an_error(subscriber, login):
    response = Client().post("/cabinet/login/", {"login": login, "password": "wrong-password"})
    assert response.status_code == 200
    assert "Wrong login or password." in response.content.decode()
    assert COOKIE not in response.cookies or not response.cookies[COOKIE].value
    assert CabinetAuthEvent.objects.filter(kind="login_failed", login=login).count() == 1


def test_empty_form_is_a_message(subscriber):
    response = Client().post("/cabinet/login/", {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_inactive_customer_cannot_log_in(db):
    customer = make_subscriber(login="gone", is_active=False)
    response = Client().post("/cabinet/login/", {"login": customer.login, "password": PASSWORD})
    assert "Wrong login or password." in response.content.decode()


def test_repeated_failures_are_throttled_even_with_the_right_password(subscriber, settings):
    client = Client()
    for _ in range(settings.LASTMILE.login_max_failures):
        client.post("/cabinet/login/", {"login": "alice", "password": "nope-nope"})
    response = client.post("/cabinet/login/", {"login": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= settings.LASTMILE.login_lockout_s
    assert CabinetAuthEvent.objects.filter(kind="throttled").count() == 1


def test_failures_from_one_address_are_throttled_across_logins(subscriber, settings):
    client = Client()
    for n in range(settings.LASTMILE.login_max_failures_per_address):
        client.post("/cabinet/login/", {"login": f"guess{n}", "password": "x"})
    response = client.post("/cabinet/login/", {"login": "alice", "password": PASSWORD})
    assert response.status_code == 429


def test_the_contract_number_does_not_give_more_guesses(subscriber, settings):
    # Probe 6.7: the counter was kept per identifier typed in.
    client = Client()
    for _ in range(settings.LASTMILE.login_max_failures):
        client.post("/cabinet/login/", {"login": "alice", "password": "nope-nope"})
    response = client.post(
        "/cabinet/login/", {"login": subscriber.contract_number, "password": "bad-cn0"}
    )
    assert response.status_code == 429
    response = client.post(
        "/cabinet/login/", {"login": subscriber.contract_number, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert COOKIE not in response.cookies or not response.cookies[COOKIE].value


def test_failures_by_login_and_contract_number_add_up(subscriber, settings):
    client = Client()
    limit = settings.LASTMILE.login_max_failures
    for n in range(limit):
        identifier = "Alice" if n % 2 else subscriber.contract_number
        client.post("/cabinet/login/", {"login": identifier, "password": "nope-nope"})
    response = client.post("/cabinet/login/", {"login": "alice", "password": PASSWORD})
    assert response.status_code == 429


def test_another_subscriber_is_not_locked_by_a_neighbour(subscriber, outsider, settings):
    client = Client()
    for _ in range(settings.LASTMILE.login_max_failures):
        client.post("/cabinet/login/", {"login": "alice", "password": "nope-nope"})
    response = client.post("/cabinet/login/", {"login": "mallory", "password": PASSWORD})
    assert response.status_code == 302


def test_a_good_login_resets_the_customer_count(subscriber, settings):
    client = Client()
    limit = settings.LASTMILE.login_max_failures
    for _ in range(limit - 1):
        client.post("/cabinet/login/", {"login": "alice", "password": "nope-nope"})
    assert (
        client.post("/cabinet/login/", {"login": "alice", "password": PASSWORD}).status_code == 302
    )
    client.post("/cabinet/logout/")
    for _ in range(limit - 1):
        client.post("/cabinet/login/", {"login": "alice", "password": "nope-nope"})
    assert (
        client.post("/cabinet/login/", {"login": "alice", "password": PASSWORD}).status_code == 302
    )


def test_cabinet_and_staff_failures_share_the_address_count(subscriber, settings):
    from tests.factories import UserFactory

    UserFactory(username="cashier")
    client = Client(REMOTE_ADDR="192.0.2.20")
    half = settings.LASTMILE.login_max_failures_per_address // 2
    for n in range(half):
        client.post("/login/", {"username": f"staff{n}", "password": "x"})
    for n in range(settings.LASTMILE.login_max_failures_per_address - half):
        client.post("/cabinet/login/", {"login": f"guess{n}", "password": "x"})
    response = client.post("/cabinet/login/", {"login": "alice", "password": PASSWORD})
    assert response.status_code == 429


def test_token_endpoint_is_throttled_like_the_form(subscriber, settings):
    client = Client()
    for _ in range(settings.LASTMILE.login_max_failures):
        r = client.post(
            "/api/v1/me/tokens",
            {"login": "alice", "password": "bad"},
            content_type="application/json",
        )
        assert r.status_code == 401
        assert r.json()["detail"] == "Wrong login or password."
    r = client.post(
        "/api/v1/me/tokens",
        {"login": "alice", "password": PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 429
    assert r["Content-Type"] == "application/problem+json"
    assert 0 < int(r["Retry-After"]) <= settings.LASTMILE.login_lockout_s


def test_pages_need_a_cabinet_login(db):
    response = Client().get("/cabinet/ledger/")
    assert response.status_code == 302
    assert response["Location"] == "/cabinet/login/?next=%2Fcabinet%2Fledger%2F"


def test_login_redirects_only_inside_the_cabinet(subscriber):
    response = Client().post(
        "/cabinet/login/?next=https://evil.example/",
        {"login": "alice", "password": PASSWORD},
    )
    assert response["Location"] == "/cabinet/"
    response = Client().post(
        "/cabinet/login/", {"login": "alice", "password": PASSWORD, "next": "/cabinet/ledger/"}
    )
    assert response["Location"] == "/cabinet/ledger/"


def test_logout_ends_the_cabinet_session(cabinet, subscriber):
    cabinet.post("/cabinet/logout/")
    assert cabinet.get("/cabinet/").status_code == 302
    assert CabinetAuthEvent.objects.filter(kind="logout", customer=subscriber).exists()


def test_staff_and_subscriber_sessions_live_side_by_side(subscriber, admin_user):
    client = Client()
    client.force_login(admin_user)
    cabinet_login(client, subscriber)
    assert client.get("/cabinet/").status_code == 200
    assert client.get("/customers/").status_code == 200
    client.post("/cabinet/logout/")
    assert client.get("/cabinet/").status_code == 302
    assert client.get("/customers/").status_code == 200


def test_a_cabinet_login_is_not_a_staff_login(cabinet):
    response = cabinet.get("/customers/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_staff_login_is_not_a_cabinet_login(admin_client):
    assert admin_client.get("/cabinet/").status_code == 302


def test_password_change_elsewhere_ends_this_session(cabinet, subscriber):
    other = cabinet_login(Client(), subscriber)
    response = other.post(
        "/cabinet/settings/password/",
        {
            "current_password": PASSWORD,
            "new_password": "Amber-Lantern-91",
            "new_password_again": "Amber-Lantern-91",
        },
    )
    assert response.status_code == 302
    assert other.get("/cabinet/").status_code == 200
    assert cabinet.get("/cabinet/").status_code == 302


def test_a_nul_byte_in_the_login_is_refused_not_an_error(subscriber):
    # Refused before any password is checked (lastmile.api.middleware), so no guess is made.
    response = Client().post(
        "/api/v1/me/tokens",
        {"login": "ali\u0000ce", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert not CabinetToken.objects.exists()
