"""/api/v1/me/support: the subscriber's requests and replies over the API, through
the same ``cabinet.support`` service as the cabinet page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lastmile.cabinet import support
from lastmile.tickets import services as tickets
from lastmile.tickets.models import Ticket, TicketComment
from tests.cabinet.conftest import bearer
from tests.factories import TicketKindFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("repair")]

URL = "/api/v1/me/support"


@pytest.fixture
def api(subscriber) -> Client:  # type: ignore[no-untyped-def]
    return Client(headers=bearer(subscriber))


def _open(client: Client, **body: Any):  # type: ignore[no-untyped-def]
    data: dict[str, Any] = {"subject": "No internet", "text": "Red light since morning."}
    data.update(body)
    return client.post(URL, data, content_type="application/json")


def _mine(customer: Any, subject: str = "Slow") -> Ticket:
    return support.open_request(customer=customer, subject=subject, message="Very slow")


def test_opening_a_request_makes_a_ticket_of_mine(api, subscriber):
    response = _open(api)
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get()
    assert body["id"] == ticket.pk and ticket.customer == subscriber
    assert ticket.description == "No internet\n\nRed light since morning."
    assert (body["subject"], body["text"], body["state"]) == (
        "No internet",
        "Red light since morning.",
        "new",
    )
    assert body["replies"] == [] and body["is_open"] is True
    assert ticket.log.get().actor_name == "customer:alice"


def test_a_category_is_chosen_by_its_code(api, repair):
    TicketKindFactory(code="connection", name="Connection")
    response = _open(api, kind="connection")
    assert response.status_code == 201
    assert response.json()["kind"] == "connection"
    assert Ticket.objects.get().kind.code == "connection"


def test_the_kinds_are_the_active_categories(api, repair):
    TicketKindFactory(code="retired", name="Retired", is_active=False)
    response = api.get(f"{URL}/kinds")
    assert response.status_code == 200
    assert {"code": "repair", "name": "Repair"} in response.json()
    assert "retired" not in {k["code"] for k in response.json()}


def test_an_unknown_category_is_422_with_a_message(api):
    response = _open(api, kind="no-such-kind")
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "kind" and "no such category" in body["detail"]
    assert not Ticket.objects.exists()


def test_a_blank_subject_is_422_naming_the_field(api):
    response = _open(api, subject="   ")
    assert response.status_code == 422
    assert "subject" in response.json()["detail"]
    assert not Ticket.objects.exists()


def test_requests_past_the_hourly_limit_are_429(api, settings, monkeypatch):
    monkeypatch.setattr(settings.LASTMILE, "cabinet_requests_per_hour", 1)
    assert _open(api).status_code == 201
    response = _open(api)
    assert response.status_code == 429
    assert response.json()["code"] == "requests_throttled"
    assert Ticket.objects.count() == 1


def test_the_list_is_mine_only_newest_first_and_paged(api, subscriber, outsider):
    first, second = _mine(subscriber, "First"), _mine(subscriber, "Second")
    _mine(outsider, "Mallory's")
    response = api.get(URL, {"limit": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [t["id"] for t in body["items"]] == [second.pk]
    assert body["items"][0]["subject"] == "Second"
    rest = api.get(URL, {"limit": 1, "offset": 1}).json()["items"]
    assert [t["id"] for t in rest] == [first.pk]


def test_the_request_shows_public_replies_only(api, subscriber, admin_user):
    ticket = _mine(subscriber)
    tickets.add_comment(ticket=ticket, actor=admin_user, text="Internal: owes 300")
    tickets.add_comment(ticket=ticket, actor=admin_user, text="We come at 3.", is_public=True)
    support.reply(customer=subscriber, ticket=ticket, text="Thanks")
    response = api.get(f"{URL}/{ticket.pk}")
    assert response.status_code == 200
    replies = response.json()["replies"]
    assert [(r["text"], r["is_mine"]) for r in replies] == [
        ("We come at 3.", False),
        ("Thanks", True),
    ]
    assert "Internal" not in response.content.decode()


def test_another_customers_request_is_404(api, outsider):
    theirs = _mine(outsider, "Mallory's secret")
    response = api.get(f"{URL}/{theirs.pk}")
    assert response.status_code == 404
    assert "Mallory" not in response.content.decode()


def test_a_reply_is_a_public_comment_by_me(api, subscriber):
    ticket = _mine(subscriber)
    response = api.post(
        f"{URL}/{ticket.pk}/replies", {"text": "Still red."}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["is_mine"] is True and response.json()["text"] == "Still red."
    comment = TicketComment.objects.get()
    assert comment.customer == subscriber and comment.is_public and comment.ticket == ticket


def test_a_reply_to_a_closed_request_opens_it_again(api, subscriber, admin_user):
    ticket = _mine(subscriber)
    tickets.change_state(ticket=ticket, actor=admin_user, to_state="in_progress")
    tickets.change_state(ticket=ticket, actor=admin_user, to_state="done", comment="Fixed")
    api.post(
        f"{URL}/{ticket.pk}/replies", {"text": "Broke again."}, content_type="application/json"
    )
    ticket.refresh_from_db()
    assert ticket.state == "in_progress"
    assert api.get(f"{URL}/{ticket.pk}").json()["is_open"] is True


def test_nobody_replies_to_another_customers_request(api, outsider):
    theirs = _mine(outsider)
    response = api.post(
        f"{URL}/{theirs.pk}/replies", {"text": "Mine now"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert not TicketComment.objects.exists()


def test_an_empty_reply_is_422(api, subscriber):
    ticket = _mine(subscriber)
    response = api.post(
        f"{URL}/{ticket.pk}/replies", {"text": " "}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "text" in response.json()["detail"]
    assert not TicketComment.objects.exists()


def test_an_id_beyond_bigint_is_422_not_500(api):
    assert api.get(f"{URL}/{2**64}").status_code == 422


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ""), ("post", ""), ("get", "/kinds"), ("get", "/1"), ("post", "/1/replies")],
)
def test_support_needs_cabinet_credentials(db, method, path):
    response = getattr(Client(), method)(f"{URL}{path}", {}, content_type="application/json")
    assert response.status_code == 401
    assert not Ticket.objects.exists()


def test_the_list_costs_the_same_queries_for_more_requests(api, subscriber):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _mine(subscriber)
    api.get(URL)  # the token's first use writes its last_used_at
    with CaptureQueriesContext(connection) as one:
        api.get(URL)
    for n in range(4):
        _mine(subscriber, f"More {n}")
    with CaptureQueriesContext(connection) as five:
        assert len(api.get(URL).json()["items"]) == 5
    assert len(five) == len(one)


def test_a_nul_character_in_the_text_is_422_not_500(api):
    response = _open(api, text="Red\x00light")
    assert response.status_code == 422
    assert not Ticket.objects.exists()
