"""The subscriber's side of a ticket: only public comments, and replies."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from lastmile.cabinet import support
from lastmile.tickets import services as tickets
from lastmile.tickets import subscriber as subscriber_requests
from lastmile.tickets.errors import TicketForbidden
from lastmile.tickets.models import Ticket, TicketComment
from tests.cabinet.conftest import bearer, cabinet_login, make_subscriber
from tests.factories import TicketKindFactory


@pytest.fixture(autouse=True)
def _request_kind(db):  # type: ignore[no-untyped-def]
    """A kind for cabinet requests: a transactional test run earlier on the same
    worker flushes the kinds the data migration seeded."""
    return TicketKindFactory()


SECRET_NOTE = "Internal: owes 300 for the router, do not tell"


def _request(client: Client) -> Ticket:
    response = client.post(
        "/cabinet/support/", {"subject": "No internet", "message": "Red light since morning."}
    )
    assert response.status_code == 302
    return Ticket.objects.latest("id")


def _reply(client: Client, ticket: Ticket, text: str):  # type: ignore[no-untyped-def]
    return client.post(f"/cabinet/support/{ticket.pk}/", {"text": text})


@pytest.mark.django_db
def test_a_staff_internal_comment_never_reaches_the_cabinet(cabinet, subscriber, admin_user):
    ticket = _request(cabinet)
    tickets.add_comment(ticket=ticket, actor=admin_user, text=SECRET_NOTE)
    tickets.add_comment(ticket=ticket, actor=admin_user, text="We come at 3.", is_public=True)
    pages = [
        cabinet.get(f"/cabinet/support/{ticket.pk}/").content.decode(),
        cabinet.get("/cabinet/support/").content.decode(),
        cabinet.get("/cabinet/").content.decode(),
    ]
    assert "We come at 3." in pages[0]
    for page in pages:
        assert SECRET_NOTE not in page
    api = Client()
    headers = bearer(subscriber)
    for path in ("", "/account", "/subscriptions", "/ledger"):
        body = api.get(f"/api/v1/me{path}", headers=headers).content.decode()
        assert SECRET_NOTE not in body


@pytest.mark.django_db
def test_the_reply_is_a_public_comment_by_the_customer_and_staff_see_it(
    cabinet, subscriber, admin_client
):
    ticket = _request(cabinet)
    response = _reply(cabinet, ticket, "Still red after the reboot.")
    assert response.status_code == 302
    assert response["Location"] == f"/cabinet/support/{ticket.pk}/#replies"
    comment = TicketComment.objects.get()
    assert comment.customer == subscriber and comment.is_public
    assert comment.author.username == "cabinet"
    page = cabinet.get(f"/cabinet/support/{ticket.pk}/").content.decode()
    assert "Still red after the reboot." in page and "You" in page
    staff = admin_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Still red after the reboot." in staff and "Subscriber alice" in staff
    assert "from the subscriber" in staff


@pytest.mark.django_db
def test_an_empty_reply_is_refused_with_the_form(cabinet):
    ticket = _request(cabinet)
    response = _reply(cabinet, ticket, "   ")
    assert response.status_code == 400
    assert 'data-testid="reply"' in response.content.decode()
    assert not TicketComment.objects.exists()


@pytest.mark.django_db
def test_a_reply_to_a_closed_request_reopens_it(cabinet, admin_user):
    ticket = _request(cabinet)
    tickets.change_state(ticket=ticket, actor=admin_user, to_state="in_progress")
    tickets.change_state(ticket=ticket, actor=admin_user, to_state="done", comment="Fixed")
    page = cabinet.get(f"/cabinet/support/{ticket.pk}/").content.decode()
    assert "This request is closed. If you reply, it is opened again" in page
    response = _reply(cabinet, ticket, "It broke again.")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == "in_progress" and ticket.finished_at is None
    entry = ticket.log.latest("id")
    assert (entry.action, entry.from_state, entry.to_state) == ("state", "done", "in_progress")
    assert entry.actor_name == "customer:alice"
    follow = cabinet.get(f"/cabinet/support/{ticket.pk}/").content.decode()
    assert "the request is open again" in follow


@pytest.mark.django_db
def test_a_cancelled_request_goes_back_to_new(cabinet, admin_user):
    ticket = _request(cabinet)
    tickets.change_state(ticket=ticket, actor=admin_user, to_state="cancelled")
    _reply(cabinet, ticket, "Please do come.")
    ticket.refresh_from_db()
    assert ticket.state == "new"


@pytest.mark.django_db
def test_nobody_replies_to_another_customers_request(cabinet, outsider):
    other = cabinet_login(Client(), outsider)
    ticket = _request(other)
    assert _reply(cabinet, ticket, "Mine now").status_code == 404
    with pytest.raises(TicketForbidden):
        subscriber_requests.add_subscriber_reply(
            ticket=ticket, customer=make_subscriber(login="eve"), text="x"
        )
    assert not TicketComment.objects.exists()


@pytest.mark.django_db
def test_a_logged_out_visitor_cannot_reply(cabinet):
    ticket = _request(cabinet)
    response = _reply(Client(), ticket, "anonymous")
    assert response.status_code == 302 and "/cabinet/login/" in response["Location"]
    assert not TicketComment.objects.exists()


@pytest.mark.django_db
def test_replies_are_limited_per_hour_and_the_text_stays(cabinet, settings, monkeypatch):
    monkeypatch.setattr(settings.LASTMILE, "cabinet_replies_per_hour", 1)
    ticket = _request(cabinet)
    assert _reply(cabinet, ticket, "One").status_code == 302
    response = _reply(cabinet, ticket, "Two, keep me")
    assert response.status_code == 429
    assert "Two, keep me" in response.content.decode()
    assert TicketComment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_replies_at_once_are_both_kept_and_reopen_once(admin_user):
    customer = make_subscriber(login="bob")
    ticket = support.open_request(customer=customer, subject="Slow", message="Very slow")
    tickets.change_state(ticket=ticket, actor=admin_user, to_state="in_progress")
    tickets.change_state(ticket=ticket, actor=admin_user, to_state="done", comment="Tuned")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            support.reply(customer=customer, ticket=Ticket.objects.get(pk=ticket.pk), text=f"r{i}")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(TicketComment.objects.values_list("text", flat=True)) == ["r0", "r1"]
    ticket.refresh_from_db()
    assert ticket.state == "in_progress"
    assert ticket.log.filter(from_state="done", to_state="in_progress").count() == 1
