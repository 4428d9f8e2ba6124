"""The subscriber's e-mail and phone: changed only when a code sent there comes back."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lastmile.cabinet.models import VerifiedContact
from lastmile.notifications.delivery import message_of
from lastmile.notifications.models import Outbox
from tests.cabinet.conftest import make_subscriber


@pytest.fixture(autouse=True)
def channels(settings, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(settings.LASTMILE, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings.LASTMILE, "sms_url_template", "http://127.0.0.1:9/?to={phone}")


def _code(recipient: str) -> str:
    row = Outbox.objects.filter(event="one_time_code", recipient=recipient).latest("id")
    match = re.search(r"\b(\d{6})\b", message_of(row).body)  # as sent, not as stored
    assert match
    return match.group(1)


def test_new_email_is_confirmed_by_code_then_becomes_the_customers(cabinet, subscriber):
    response = cabinet.post("/cabinet/settings/contact/", {"kind": "email", "value": "a@x.org"})
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.email == ""  # not yet: unproved
    page = cabinet.get("/cabinet/settings/").content.decode()
    assert "Enter the code we sent to a@x.org." in page
    response = cabinet.post("/cabinet/settings/contact/confirm/", {"code": _code("a@x.org")})
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.email == "a@x.org"
    assert VerifiedContact.objects.get(customer=subscriber, kind="email").value == "a@x.org"
    assert 'data-testid="contact-email">a@x.org · <span class="pos">confirmed' in (
        cabinet.get("/cabinet/settings/").content.decode()
    )


def test_new_phone_goes_first_and_keeps_the_others(db):
    customer = make_subscriber(login="eve", phones=["+7 900 000-00-01", "+7 900 000-00-02"])
    from tests.cabinet.conftest import cabinet_login

    client = cabinet_login(Client(), customer)
    client.post("/cabinet/settings/contact/", {"kind": "phone", "value": "+7 900 000-00-02"})
    row = Outbox.objects.get(customer=customer, event="one_time_code")
    assert row.channel == "sms"
    client.post("/cabinet/settings/contact/confirm/", {"code": _code("+7 900 000-00-02")})
    customer.refresh_from_db()
    assert customer.phones == ["+7 900 000-00-02", "+7 900 000-00-01"]


def test_wrong_code_changes_nothing(cabinet, subscriber):
    cabinet.post("/cabinet/settings/contact/", {"kind": "email", "value": "a@x.org"})
    code = _code("a@x.org")
    response = cabinet.post(
        "/cabinet/settings/contact/confirm/", {"code": "000000" if code != "000000" else "1"}
    )
    assert response.status_code == 400
    assert "The code is wrong or has expired." in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.email == ""
    assert not VerifiedContact.objects.exists()


def test_malformed_address_is_a_message_and_the_input_stays(cabinet):
    response = cabinet.post("/cabinet/settings/contact/", {"kind": "email", "value": "not-mail"})
    assert response.status_code == 400
    text = response.content.decode()
    assert 'value="not-mail"' in text
    assert not Outbox.objects.filter(event="one_time_code").exists()


def test_channel_not_configured_is_a_clear_message(cabinet, settings, monkeypatch):
    monkeypatch.setattr(settings.LASTMILE, "sms_url_template", "")
    response = cabinet.post("/cabinet/settings/contact/", {"kind": "phone", "value": "+7 900 1"})
    assert response.status_code == 400
    assert "We cannot send SMS now" in response.content.decode()


def test_sends_are_throttled(cabinet, settings):
    for n in range(settings.LASTMILE.login_max_failures):
        cabinet.post("/cabinet/settings/contact/", {"kind": "email", "value": f"a{n}@x.org"})
    response = cabinet.post("/cabinet/settings/contact/", {"kind": "email", "value": "z@x.org"})
    assert response.status_code == 400
    assert "Too many attempts" in response.content.decode()
    assert Outbox.objects.filter(event="one_time_code").count() == (
        settings.LASTMILE.login_max_failures
    )


def test_staff_see_the_confirmed_flag_on_the_customer_page(admin_client, subscriber):
    subscriber.email = "a@x.org"
    subscriber.save(update_fields=["email"])
    page = admin_client.get(f"/customers/{subscriber.pk}/").content.decode()
    assert 'id="cabinet-contacts"' in page and "not confirmed" in page
    VerifiedContact.objects.create(customer=subscriber, kind="email", value="a@x.org")
    page = admin_client.get(f"/customers/{subscriber.pk}/").content.decode()
    assert '<span class="status-up">confirmed</span>' in page
