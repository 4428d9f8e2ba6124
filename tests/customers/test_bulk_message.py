"""Bulk "send a message" from the customer list: compose, preview, send as a
job through the notifications outbox, watch the progress; customers outside
the user's scope refuse the whole batch (nothing is queued)."""

from __future__ import annotations

import pytest
from procrastinate.contrib.django.models import ProcrastinateJob

from lastmile.customers.jobs import send_bulk_message
from lastmile.customers.models import Customer
from lastmile.notifications.models import Outbox
from tests.customers.conftest import client_for
from tests.factories import CustomerFactory, grant

pytestmark = pytest.mark.django_db

TASK = "customers.send_bulk_message"


@pytest.fixture
def email_on(settings, monkeypatch):  # type: ignore[no-untyped-def]
    conf = settings.LASTMILE
    monkeypatch.setattr(conf, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(conf, "notify_default_channels", ["email"])
    monkeypatch.setattr(conf, "notify_quiet_hours_start", 0)
    monkeypatch.setattr(conf, "notify_quiet_hours_end", 0)
    monkeypatch.setattr(conf, "webhook_urls", [])
    return conf


def _customers(n: int, **fields) -> list[Customer]:  # type: ignore[no-untyped-def]
    return [
        CustomerFactory(login=f"m{n}-{i}", full_name=f"Name {i}", email=f"m{i}@isp.test", **fields)
        for i in range(n)
    ]


def _run_job() -> ProcrastinateJob:
    job = ProcrastinateJob.objects.get(task_name=TASK)
    send_bulk_message(**job.args)
    ProcrastinateJob.objects.filter(pk=job.pk).update(status="succeeded")
    return ProcrastinateJob.objects.get(pk=job.pk)


def test_compose_preview_send_and_watch_the_progress(admin_client, email_on):
    chosen = _customers(3)
    other = CustomerFactory(login="not-chosen", email="x@isp.test")
    ids = [c.pk for c in chosen]
    compose = admin_client.post("/customers/bulk/", {"action": "message", "select": ids})
    assert compose.status_code == 200
    assert compose.context["count"] == 3
    assert not ProcrastinateJob.objects.filter(task_name=TASK).exists()

    empty = admin_client.post("/customers/bulk/message/", {"select": ids, "step": "preview"})
    assert empty.context["form"].errors["text"]  # no text, no template: asked for one

    text = "Dear {{ full_name }}, works on Friday."
    preview = admin_client.post(
        "/customers/bulk/message/",
        {"select": ids, "step": "preview", "subject": "Works", "text": text},
    )
    assert preview.status_code == 200
    assert "Dear Name 0, works on Friday." in preview.content.decode()
    assert not ProcrastinateJob.objects.filter(task_name=TASK).exists()  # a preview sends nothing

    sent = admin_client.post(
        "/customers/bulk/message/",
        {"select": ids, "step": "send", "subject": "Works", "text": text},
    )
    assert sent.status_code == 302
    job = ProcrastinateJob.objects.get(task_name=TASK)
    assert sent["Location"] == f"/customers/bulk/message/{job.pk}/"
    waiting = admin_client.get(sent["Location"], headers={"HX-Request": "true"})
    assert waiting.context["final"] is False
    assert 'hx-trigger="every 2s"' in waiting.content.decode()

    _run_job()
    rows = Outbox.objects.filter(event="staff_message").order_by("customer_id")
    assert [r.customer_id for r in rows] == ids
    assert rows[0].body == "Dear Name 0, works on Friday." and rows[0].subject == "Works"
    assert not Outbox.objects.filter(customer=other).exists()
    send_bulk_message(**job.args)  # a retried job queues nothing twice
    assert Outbox.objects.filter(event="staff_message").count() == 3

    done = admin_client.get(sent["Location"])
    assert done.context["queued_customers"] == 3
    assert done.context["job_done"] is True
    assert "Queued for 3 of 3 customers." in done.content.decode()


def test_all_customers_matching_the_filter(admin_client, email_on):
    _customers(2)
    CustomerFactory(login="elsewhere", email="e@isp.test")
    response = admin_client.post(
        "/customers/bulk/",
        {"action": "message", "scope": "filter", "query": "q=m2-"},
    )
    assert response.status_code == 200
    assert response.context["count"] == 2
    admin_client.post(
        "/customers/bulk/message/",
        {"scope": "filter", "query": "q=m2-", "step": "send", "text": "Hi"},
    )
    _run_job()
    assert Outbox.objects.filter(event="staff_message").count() == 2
    assert not Outbox.objects.filter(customer__login="elsewhere").exists()


def test_only_the_chosen_channel(admin_client, email_on, monkeypatch):
    monkeypatch.setattr(email_on, "sms_url_template", "http://127.0.0.1:9/sms?to={to}&text={text}")
    monkeypatch.setattr(email_on, "notify_default_channels", ["email", "sms"])
    customer = CustomerFactory(login="both", email="b@isp.test", phones=["+79001234567"])
    admin_client.post(
        "/customers/bulk/message/",
        {"select": [customer.pk], "step": "send", "text": "Hi", "channel": "sms"},
    )
    _run_job()
    assert list(Outbox.objects.filter(event="staff_message").values_list("channel", flat=True)) == [
        "sms"
    ]


def test_customers_outside_the_scope_refuse_the_batch(
    owner, north, north_customer, south_customer, email_on
):
    response = client_for(owner).post(
        "/customers/bulk/message/",
        {"select": [north_customer.pk, south_customer.pk], "step": "send", "text": "Hi"},
        follow=True,
    )
    assert "1 of the selected customers are outside what you may change; nothing was sent." in (
        response.content.decode()
    )
    assert not ProcrastinateJob.objects.filter(task_name=TASK).exists()
    assert not Outbox.objects.exists()


def test_a_filter_wider_than_what_the_user_may_change_is_refused(
    north, south, north_customer, south_customer, email_on
):
    from tests.factories import UserFactory

    viewer = UserFactory(username="sees-all")
    grant(viewer, Customer, ["view"])
    grant(viewer, Customer, ["change"], {"site__slug": "north"})
    response = client_for(viewer).post(
        "/customers/bulk/",
        {"action": "message", "scope": "filter", "query": ""},
        follow=True,
    )
    assert "outside what you may change" in response.content.decode()
    assert not ProcrastinateJob.objects.filter(task_name=TASK).exists()


def test_someone_elses_progress_page_is_forbidden(admin_client, owner, north_customer, email_on):
    client_for(owner).post(
        "/customers/bulk/message/", {"select": [north_customer.pk], "step": "send", "text": "Hi"}
    )
    job = ProcrastinateJob.objects.get(task_name=TASK)
    assert admin_client.get(f"/customers/bulk/message/{job.pk}/").status_code == 200  # superuser
    other = CustomerFactory(login="x")
    from tests.factories import UserFactory

    stranger = UserFactory(username="stranger")
    grant(stranger, Customer, ["view"])
    assert other.pk
    assert client_for(stranger).get(f"/customers/bulk/message/{job.pk}/").status_code == 403
