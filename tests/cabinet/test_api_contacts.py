"""/api/v1/me/contact: a new e-mail or phone through a code, the same path
(``cabinet.codes``, the outbox) as the settings page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lastmile.cabinet.models import VerifiedContact
from lastmile.notifications.delivery import message_of
from lastmile.notifications.models import Outbox
from tests.cabinet.conftest import bearer, make_subscriber

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/contact"


@pytest.fixture(autouse=True)
def channels(settings, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(settings.LASTMILE, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings.LASTMILE, "sms_url_template", "http://127.0.0.1:9/?to={phone}")


@pytest.fixture
def api(subscriber) -> Client:  # type: ignore[no-untyped-def]
    return Client(headers=bearer(subscriber))


def _code(recipient: str) -> str:
    row = Outbox.objects.filter(event="one_time_code", recipient=recipient).latest("id")
    match = re.search(r"\b(\d{6})\b", message_of(row).body)  # as sent, not as stored
    assert match
    return match.group(1)


def _start(client: Client, kind: str = "email", value: str = "a@x.org"):  # type: ignore[no-untyped-def]
    return client.post(URL, {"kind": kind, "value": value}, content_type="application/json")


def _confirm(client: Client, code: str):  # type: ignore[no-untyped-def]
    return client.post(f"{URL}/confirm", {"code": code}, content_type="application/json")


def test_starting_a_change_sends_a_code_and_changes_nothing_yet(api, subscriber):
    response = _start(api)
    assert response.status_code == 202
    body = response.json()
    assert (body["kind"], body["target"]) == ("email", "a@x.org")
    row = Outbox.objects.get(event="one_time_code", recipient="a@x.org")
    assert row.customer == subscriber and row.channel == "email"
    subscriber.refresh_from_db()
    assert subscriber.email == ""


def test_the_code_makes_the_email_mine_and_confirmed(api, subscriber):
    _start(api)
    response = _confirm(api, _code("a@x.org"))
    assert response.status_code == 200
    assert (response.json()["kind"], response.json()["value"]) == ("email", "a@x.org")
    subscriber.refresh_from_db()
    assert subscriber.email == "a@x.org"
    assert VerifiedContact.objects.get(customer=subscriber, kind="email").value == "a@x.org"


def test_a_new_phone_goes_first_by_sms(db):
    customer = make_subscriber(login="eve", phones=["+7 900 000-00-01"])
    client = Client(headers=bearer(customer))
    assert _start(client, "phone", "+7 900 000-00-02").status_code == 202
    assert Outbox.objects.get(customer=customer, event="one_time_code").channel == "sms"
    assert _confirm(client, _code("+7 900 000-00-02")).status_code == 200
    customer.refresh_from_db()
    assert customer.phones == ["+7 900 000-00-02", "+7 900 000-00-01"]


def test_the_contact_state_shows_the_pending_code(api):
    before = api.get(URL).json()
    assert before["email"] == {"value": "", "is_verified": False} and before["pending"] is None
    _start(api)
    pending = api.get(URL).json()["pending"]
    assert (pending["kind"], pending["target"]) == ("email", "a@x.org")
    _confirm(api, _code("a@x.org"))
    after = api.get(URL).json()
    assert after["email"] == {"value": "a@x.org", "is_verified": True} and after["pending"] is None


def test_a_wrong_code_is_refused_and_changes_nothing(api, subscriber):
    _start(api)
    code = _code("a@x.org")
    response = _confirm(api, "000000" if code != "000000" else "111111")
    assert response.status_code == 400
    assert response.json()["detail"] == "The code is wrong or has expired."
    subscriber.refresh_from_db()
    assert subscriber.email == "" and not VerifiedContact.objects.exists()


def test_another_customers_code_does_not_confirm_mine(api, subscriber, outsider):
    _start(Client(headers=bearer(outsider)), value="m@x.org")
    response = _confirm(api, _code("m@x.org"))
    assert response.status_code == 400
    outsider.refresh_from_db()
    subscriber.refresh_from_db()
    assert subscriber.email == "" and outsider.email == ""


def test_a_malformed_address_is_422_naming_value(api):
    response = _start(api, value="not-mail")
    assert response.status_code == 422
    assert response.json()["field"] == "value"
    assert not Outbox.objects.filter(event="one_time_code").exists()


def test_an_unknown_kind_is_422(api):
    response = _start(api, kind="pigeon")
    assert response.status_code == 422
    assert "kind" in response.json()["detail"]


def test_a_channel_not_configured_is_a_clear_422(api, settings, monkeypatch):
    monkeypatch.setattr(settings.LASTMILE, "sms_url_template", "")
    response = _start(api, "phone", "+7 900 000-00-03")
    assert response.status_code == 422
    assert "We cannot send SMS now" in response.json()["detail"]


def test_sends_are_throttled_with_retry_after(api, settings):
    for n in range(settings.LASTMILE.login_max_failures):
        assert _start(api, value=f"a{n}@x.org").status_code == 202
    response = _start(api, value="z@x.org")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Outbox.objects.filter(event="one_time_code").count() == (
        settings.LASTMILE.login_max_failures
    )


@pytest.mark.parametrize(("method", "path"), [("get", ""), ("post", ""), ("post", "/confirm")])
def test_contact_needs_cabinet_credentials(db, method, path):
    response = getattr(Client(), method)(
        f"{URL}{path}", {"kind": "email", "value": "a@x.org"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert not Outbox.objects.exists()


def test_a_nul_character_in_the_address_is_422_not_500(api):
    response = _start(api, "phone", "+7 900\x00 000-00-04")
    assert response.status_code == 422
    assert not Outbox.objects.filter(event="one_time_code").exists()
