"""Forgotten password: a one-time code over the outbox to a confirmed contact."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from lastmile.cabinet import codes, services
from lastmile.cabinet.models import CabinetToken, OneTimeCode, VerifiedContact
from lastmile.notifications.models import Outbox
from tests.cabinet.conftest import PASSWORD, cabinet_login, make_subscriber, sent_code

NEW_PASSWORD = "Copper-Meadow-73"

pytestmark = pytest.mark.usefixtures("code_channels")


def _ask(client: Client, login: str, kind: str = "email"):  # type: ignore[no-untyped-def]
    return client.post("/cabinet/password/forgot/", {"login": login, "kind": kind})


def _reset(client: Client, code: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(
        "/cabinet/password/reset/",
        {"code": code, "new_password": password, "new_password_again": password},
    )


def test_code_by_email_sets_a_new_password_and_ends_other_sessions(confirmed):
    other = cabinet_login(Client(), confirmed)
    _token, raw = services.create_token(customer=confirmed, name="phone app")
    client = Client()
    response = _ask(client, "bob")
    assert response.status_code == 302 and response["Location"] == "/cabinet/password/reset/"
    row = Outbox.objects.get(customer=confirmed, event="one_time_code")
    assert row.recipient == "bob@example.net"
    code = sent_code(confirmed)
    stored = OneTimeCode.objects.get(customer=confirmed)
    assert code not in stored.digest and len(stored.digest) == 64  # only a hash is stored

    response = _reset(client, code)
    assert response.status_code == 302 and response["Location"] == "/cabinet/login/"
    confirmed.refresh_from_db()
    assert confirmed.check_cabinet_password(NEW_PASSWORD)
    assert other.get("/cabinet/").status_code == 302  # the other session ended
    assert not CabinetToken.objects.usable().filter(customer=confirmed).exists()
    assert services.authenticate_token(raw) is None
    # The code works once.
    client2 = Client()
    _ask(client2, "bob")
    assert _reset(client2, code).status_code == 400


def test_code_by_sms_goes_to_the_confirmed_phone(confirmed):
    client = Client()
    _ask(client, "bob", kind="phone")
    row = Outbox.objects.get(customer=confirmed, event="one_time_code")
    assert (row.channel, row.recipient) == ("sms", "+7 900 111-22-33")
    assert _reset(client, sent_code(confirmed, "sms")).status_code == 302


def test_same_answer_whether_or_not_the_login_exists(confirmed):
    unconfirmed = make_subscriber(login="carol", email="carol@example.net")
    answers = []
    for login in ("bob", "nobody-here", "carol"):
        client = Client()
        response = _ask(client, login)
        follow = client.get(response["Location"])
        answers.append((response.status_code, response["Location"], follow.status_code))
        text = follow.content.decode()
        assert "If this account has a confirmed contact" in text
    assert len(set(answers)) == 1
    # Only the confirmed customer got a code; an unconfirmed e-mail never does.
    assert Outbox.objects.filter(customer=confirmed).count() == 1
    assert not Outbox.objects.filter(customer=unconfirmed).exists()
    # A wrong code for a login that does not exist reads like any wrong code.
    client = Client()
    _ask(client, "nobody-here")
    response = _reset(client, "123456")
    assert response.status_code == 400
    assert "The code is wrong or has expired." in response.content.decode()


def test_wrong_code_is_refused_and_the_code_dies_after_the_attempts(
    confirmed, settings, monkeypatch
):
    # Fewer than the throttle's limit, so the code's own count is what refuses.
    monkeypatch.setattr(settings.LASTMILE, "cabinet_code_max_attempts", 2)
    client = Client()
    _ask(client, "bob")
    code = sent_code(confirmed)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(2):
        response = _reset(client, wrong)
        assert response.status_code == 400
        assert "The code is wrong or has expired." in response.content.decode()
    assert _reset(client, code).status_code == 400  # dead now, even the right one
    confirmed.refresh_from_db()
    assert confirmed.check_cabinet_password(PASSWORD)


def test_expired_code_is_refused(confirmed):
    client = Client()
    _ask(client, "bob")
    code = sent_code(confirmed)
    OneTimeCode.objects.update(expires_at=timezone.now())
    assert _reset(client, code).status_code == 400


def test_a_weak_password_keeps_the_code_usable(confirmed):
    client = Client()
    _ask(client, "bob")
    code = sent_code(confirmed)
    response = _reset(client, code, password="12345678")
    assert response.status_code == 400
    assert "entirely numeric" in response.content.decode()
    assert _reset(client, code).status_code == 302


def test_staff_entered_email_is_not_used_until_confirmed(db):
    customer = make_subscriber(login="dave", email="dave@example.net")
    _ask(Client(), "dave")
    assert not Outbox.objects.filter(customer=customer).exists()
    # Confirmed, then changed by staff: no longer the confirmed one.
    VerifiedContact.objects.create(customer=customer, kind="email", value="dave@example.net")
    assert codes.verified_contact(customer, "email") == "dave@example.net"
    customer.email = "someone-else@example.net"
    customer.save(update_fields=["email"])
    assert codes.verified_contact(customer, "email") == ""


def test_requests_are_throttled_per_account(confirmed, settings):
    limit = settings.LASTMILE.login_max_failures
    for n in range(limit):
        assert _ask(Client(REMOTE_ADDR=f"10.9.0.{n + 1}"), "bob").status_code == 302
    response = _ask(Client(REMOTE_ADDR="10.9.1.1"), "bob")
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert Outbox.objects.filter(customer=confirmed).count() == limit
    # The login itself is not locked by the flood of reset requests.
    assert cabinet_login(Client(REMOTE_ADDR="10.9.2.1"), confirmed)


def test_requests_are_throttled_per_address(db, settings):
    per_address = settings.LASTMILE.login_max_failures_per_address
    client = Client(REMOTE_ADDR="10.8.0.7")
    for n in range(per_address):
        _ask(client, f"someone{n}")
    response = _ask(client, "someone-else")
    assert response.status_code == 429
    assert response.has_header("Retry-After")


def test_wrong_codes_count_against_the_throttle(confirmed, settings):
    client = Client()
    _ask(client, "bob")
    code = sent_code(confirmed)
    wrong = "000000" if code != "000000" else "111111"
    limit = settings.LASTMILE.login_max_failures
    for _ in range(limit):  # one send plus wrong codes reach the account's limit
        response = _reset(client, wrong)
    assert response.status_code == 429


def test_reset_page_without_a_request_goes_back_to_the_start(db):
    response = Client().get("/cabinet/password/reset/")
    assert response.status_code == 302 and response["Location"] == "/cabinet/password/forgot/"


def test_login_page_links_to_the_reset(db):
    assert "/cabinet/password/forgot/" in Client().get("/cabinet/login/").content.decode()
