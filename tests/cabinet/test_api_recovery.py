"""A forgotten password over /api/v1/me/password/{forgot,reset}: no token, the
same code, confirmed-contact rule and limits as the cabinet page."""

from __future__ import annotations

import pytest
from django.test import Client

from lastmile.cabinet import services
from lastmile.cabinet.models import CabinetToken
from lastmile.notifications.models import Outbox
from tests.cabinet.conftest import PASSWORD, make_subscriber, sent_code
from tests.cabinet.test_recovery import NEW_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("code_channels")]

FORGOT = "/api/v1/me/password/forgot"
RESET = "/api/v1/me/password/reset"


def _ask(client: Client, login: str, kind: str = "email"):  # type: ignore[no-untyped-def]
    return client.post(FORGOT, {"login": login, "kind": kind}, content_type="application/json")


def _reset(client: Client, login: str, code: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(
        RESET,
        {"login": login, "code": code, "new_password": password},
        content_type="application/json",
    )


def test_a_code_by_email_sets_the_password_and_ends_every_token(confirmed):
    _token, raw = services.create_token(customer=confirmed, name="phone app")
    client = Client()
    answer = _ask(client, "bob")
    assert answer.status_code == 202
    assert "If this account has a confirmed contact" in answer.json()["detail"]
    code = sent_code(confirmed)
    assert _reset(client, "bob", code).status_code == 204
    confirmed.refresh_from_db()
    assert confirmed.check_cabinet_password(NEW_PASSWORD)
    assert services.authenticate_token(raw) is None
    assert not CabinetToken.objects.usable().filter(customer=confirmed).exists()
    login = client.post(
        "/api/v1/me/tokens",
        {"login": "bob", "password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert login.status_code == 201
    # The code works once.
    again = _reset(Client(), "bob", code)
    assert again.status_code == 400 and again.json()["field"] == "code"


def test_the_phone_gets_it_by_sms(confirmed):
    client = Client()
    assert _ask(client, "bob", kind="phone").status_code == 202
    row = Outbox.objects.get(customer=confirmed, event="one_time_code")
    assert (row.channel, row.recipient) == ("sms", "+7 900 111-22-33")
    assert _reset(client, "bob", sent_code(confirmed, "sms")).status_code == 204


def test_the_answer_does_not_tell_who_is_a_subscriber(confirmed):
    make_subscriber(login="carol", email="carol@example.net")  # not confirmed
    answers = set()
    for login in ("bob", "nobody", "carol"):
        answer = _ask(Client(), login)
        answers.add((answer.status_code, answer.content))
    assert len(answers) == 1
    assert Outbox.objects.filter(event="one_time_code").count() == 1  # bob's
    wrong = _reset(Client(), "nobody", "123456")
    assert wrong.status_code == 400
    assert wrong.json()["detail"] == "The code is wrong or has expired."


def test_a_weak_password_is_a_422_and_the_code_stays_usable(confirmed):
    client = Client()
    _ask(client, "bob")
    code = sent_code(confirmed)
    weak = _reset(client, "bob", code, password="12345678")
    assert weak.status_code == 422 and weak.json()["field"] == "new_password"
    assert _reset(client, "bob", code).status_code == 204


def test_hostile_bodies_are_a_clear_422(confirmed):
    client = Client()
    for body in ({"login": "bob", "kind": "pigeon"}, {"login": "", "kind": "email"}, {}):
        answer = client.post(FORGOT, body, content_type="application/json")
        assert answer.status_code == 422, body
    answer = client.post(RESET, {"login": "bob", "code": "1" * 40, "new_password": "x"},
                         content_type="application/json")  # fmt: skip
    assert answer.status_code == 422
    assert not Outbox.objects.exists()
    confirmed.refresh_from_db()
    assert confirmed.check_cabinet_password(PASSWORD)


def test_sends_are_throttled_with_retry_after(confirmed, settings):
    for n in range(settings.LASTMILE.login_max_failures):
        assert _ask(Client(REMOTE_ADDR=f"10.9.0.{n + 1}"), "bob").status_code == 202
    answer = _ask(Client(REMOTE_ADDR="10.9.1.1"), "bob")
    assert answer.status_code == 429 and answer.has_header("Retry-After")
