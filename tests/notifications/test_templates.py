"""Templates per event and language, the editor's preview, and broken templates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lastmile.notifications import events
from lastmile.notifications.defaults import DEFAULT_TEMPLATES
from lastmile.notifications.delivery import deliver_due
from lastmile.notifications.errors import TemplateRenderError
from lastmile.notifications.models import NotificationTemplate, Outbox
from lastmile.notifications.services import notify, preview_template, resend, set_preferences
from tests.factories import CustomerFactory, NotificationTemplateFactory

pytestmark = pytest.mark.django_db


def _pay(customer, key="p1"):  # type: ignore[no-untyped-def]
    return notify(
        event=events.PAYMENT_RECEIVED,
        customer=customer,
        context={"amount": Decimal("100.00"), "balance": Decimal("1.05")},
        dedup_key=key,
    )


def test_fresh_install_has_en_and_ru_templates_for_every_event():
    have = set(NotificationTemplate.objects.values_list("event", "language"))
    assert {(e, lang) for e in events.EVENTS for lang in ("en", "ru")} <= have
    assert set(DEFAULT_TEMPLATES) == {(e, lang) for e in events.EVENTS for lang in ("en", "ru")}


@pytest.mark.parametrize("event", sorted(events.EVENTS))
@pytest.mark.parametrize("language", ["en", "ru"])
def test_default_templates_render_with_sample_context(event, language):
    template = NotificationTemplate.objects.get(event=event, language=language, channel="")
    subject, text = preview_template(event=event, subject=template.subject, body=template.body)
    assert subject and text


def test_russian_subscriber_gets_russian_text(channels):
    smtp, _http = channels
    customer = CustomerFactory(reachable=True)
    set_preferences(customer=customer, channels=["email"], language="ru")
    _pay(customer)
    deliver_due()
    assert smtp.messages[0]["Subject"] == "Платёж получен"
    assert "100.00" in smtp.messages[0].get_content()


def test_channel_specific_template_wins(channels):
    _smtp, http = channels
    NotificationTemplateFactory(
        event=events.PAYMENT_RECEIVED, language="en", channel="sms", body="Paid {{ amount }}"
    )
    _pay(CustomerFactory(reachable=True))
    deliver_due()
    (sms,) = http.calls("/sms")
    assert sms.query["msg"] == ["Paid 100.00"]


def test_template_error_fails_the_row_and_sends_nothing(channels, admin_client):
    smtp, http = channels
    NotificationTemplate.objects.filter(event=events.PAYMENT_RECEIVED, language="en").update(
        body="Paid {{ amount|nosuchfilter }}"
    )
    rows = _pay(CustomerFactory(reachable=True))  # the payer's transaction is not broken
    subscriber_rows = [r for r in rows if r.channel != "webhook"]
    assert {r.state for r in subscriber_rows} == {"failed"}
    assert all("Template error" in r.last_error for r in subscriber_rows)
    deliver_due()
    assert smtp.messages == []
    assert http.calls("/sms") == [] and http.calls("/sendMessage") == []

    email_row = Outbox.objects.get(channel="email")
    page = admin_client.get(f"/notifications/{email_row.pk}/").content.decode()
    assert "Template error in the text" in page


def test_unknown_variable_is_a_clear_error():
    with pytest.raises(TemplateRenderError) as info:
        preview_template(event=events.PAYMENT_RECEIVED, subject="", body="{{ amout }}")
    assert "unknown variable(s) amout" in str(info.value)
    assert "amount" in str(info.value)  # lists what is available


def test_editor_refuses_broken_template_and_previews(admin_client):
    template = NotificationTemplate.objects.get(event="balance_low", language="en", channel="")
    response = admin_client.post(
        f"/notifications/templates/{template.pk}/",
        {
            "event": "balance_low",
            "language": "en",
            "channel": "",
            "subject": "x",
            "body": "{% if balance %}low",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Template error" in response.content.decode()
    template.refresh_from_db()
    assert template.body != "{% if balance %}low"

    preview = admin_client.post(
        "/notifications/templates/preview/",
        {"event": "balance_low", "subject": "Low", "body": "Only {{ balance }} left"},
    )
    assert "Only 42.00 left" in preview.content.decode()


def test_resend_after_fixing_template(channels, admin_client):
    smtp, _http = channels
    NotificationTemplate.objects.filter(event=events.PAYMENT_RECEIVED, language="en").update(
        body="{{ nope }}"
    )
    set_preferences(customer=(customer := CustomerFactory(reachable=True)), channels=["email"])
    (row, *_rest) = [r for r in _pay(customer) if r.channel == "email"]
    assert row.state == "failed"

    # Still broken: resend refuses with the message, nothing changes.
    response = admin_client.post(f"/notifications/{row.pk}/resend/", follow=True)
    assert "unknown variable" in response.content.decode()
    row.refresh_from_db()
    assert row.state == "failed"

    NotificationTemplate.objects.filter(event=events.PAYMENT_RECEIVED, language="en").update(
        body="Thanks for {{ amount }}"
    )
    admin_client.post(f"/notifications/{row.pk}/resend/")
    row.refresh_from_db()
    assert row.state == "queued" and row.attempts == 0
    deliver_due()
    assert smtp.messages[0].get_content().strip() == "Thanks for 100.00"


def test_resend_of_queued_message_is_refused(channels):
    from lastmile.notifications.errors import NotResendable

    row = _pay(CustomerFactory(reachable=True))[0]
    with pytest.raises(NotResendable):
        resend(outbox=row, actor=None)


def test_api_preview_reports_template_error(admin_client):
    response = admin_client.post(
        "/api/v1/notifications/templates/preview",
        {"event": "payment_received", "body": "{% if amount %}x"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "Template error" in response.json()["detail"]
