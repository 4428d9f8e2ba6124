"""The one-time code reaches the subscriber but never the staff's delivery log."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
from django.test import Client

from lastmile.cabinet.models import VerifiedContact
from lastmile.notifications.delivery import deliver_due
from lastmile.notifications.errors import NotResendable
from lastmile.notifications.models import Outbox
from lastmile.notifications.secrets import mark
from lastmile.notifications.services import resend
from tests.cabinet.conftest import make_subscriber
from tests.factories import UserFactory, grant
from tests.notifications.peers import SmtpPeer

NEW_PASSWORD = "Quiet-Meadow-42"


@pytest.fixture
def smtp(settings, monkeypatch):  # type: ignore[no-untyped-def]
    peer = SmtpPeer()
    peer.start()
    conf = settings.LASTMILE
    for key, value in {
        "smtp_host": "127.0.0.1",
        "smtp_port": peer.port,
        "smtp_from": "billing@isp.test",
        "notify_quiet_hours_start": 0,
        "notify_quiet_hours_end": 0,
    }.items():
        monkeypatch.setattr(conf, key, value)
    yield peer
    peer.stop()


@pytest.fixture
def bob(db):  # type: ignore[no-untyped-def]
    customer = make_subscriber(login="bob", email="bob@example.net")
    VerifiedContact.objects.create(customer=customer, kind="email", value="bob@example.net")
    return customer


@pytest.fixture
def log_reader(db):  # type: ignore[no-untyped-def]
    """A staff member with the delivery log (view and resend), nothing else."""
    user = UserFactory(username="operator")
    grant(user, Outbox, ["view", "change"])
    client = Client()
    client.force_login(user)
    return user, client


def _sent_code(smtp: SmtpPeer) -> str:
    (message,) = smtp.messages
    assert isinstance(message, EmailMessage)  # parsed with policy.default
    text = message.get_content()
    match = re.search(r"\b(\d{6})\b", text)
    assert match, text
    return match.group(1)


@pytest.mark.django_db
def test_staff_never_see_the_code_and_the_subscriber_gets_it(smtp, bob, log_reader):
    _user, staff = log_reader
    client = Client()
    client.post("/cabinet/password/forgot/", {"login": "bob", "kind": "email"})
    row = Outbox.objects.get(customer=bob, event="one_time_code")
    assert mark("code") in row.body

    def staff_views() -> list[str]:
        return [
            staff.get("/notifications/").content.decode(),
            staff.get(f"/notifications/{row.pk}/").content.decode(),
            staff.get("/api/v1/notifications/outbox").content.decode(),
            staff.get(f"/api/v1/notifications/outbox/{row.pk}").content.decode(),
        ]

    before = staff_views()
    assert all(re.search(r"\b\d{6}\b", page) is None for page in before[1:])
    assert mark("code") in before[1]

    assert deliver_due() == 1
    code = _sent_code(smtp)
    for page in [*before, *staff_views()]:
        assert code not in page
    row.refresh_from_db()
    assert row.state == "sent" and code not in row.body and code not in str(row.payload)
    assert "secrets" not in row.payload  # wiped once sent

    # The code the subscriber got works.
    response = client.post(
        "/cabinet/password/reset/",
        {"code": code, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.check_cabinet_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_a_code_message_is_not_resent(smtp, bob, log_reader):
    user, staff = log_reader
    Client().post("/cabinet/password/forgot/", {"login": "bob", "kind": "email"})
    deliver_due()
    row = Outbox.objects.get(customer=bob, event="one_time_code")
    with pytest.raises(NotResendable):
        resend(outbox=row, actor=user)
    response = staff.post(f"/notifications/{row.pk}/resend/")
    assert response.status_code in (302, 400, 409)
    row.refresh_from_db()
    assert row.state == "sent" and len(smtp.messages) == 1
