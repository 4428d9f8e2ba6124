"""Internal and public comments: staff choose per comment, internal by default."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from lastmile.tickets import services
from lastmile.tickets.errors import TicketError, TicketForbidden
from lastmile.tickets.models import TicketComment
from tests.tickets.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(dispatcher, kind, customer):  # type: ignore[no-untyped-def]
    return services.create_ticket(
        actor=dispatcher, kind=kind, description="No link", customer=customer
    )


def test_a_staff_comment_is_internal_unless_marked_public(dispatcher, ticket):
    note = services.add_comment(ticket=ticket, actor=dispatcher, text="Owes us a router")
    answer = services.add_comment(
        ticket=ticket, actor=dispatcher, text="Coming at 3", is_public=True
    )
    assert note.is_public is False and answer.is_public is True
    assert list(TicketComment.objects.public()) == [answer]


def test_the_form_posts_internal_by_default_and_public_when_ticked(dispatcher, ticket):
    web = client_for(dispatcher)
    url = f"/tickets/{ticket.pk}/comment/"
    assert web.post(url, {"text": "Check the splitter"}).status_code == 302
    assert web.post(url, {"text": "We come tomorrow", "is_public": "on"}).status_code == 302
    rows = list(ticket.comments.values_list("text", "is_public"))
    assert rows == [("Check the splitter", False), ("We come tomorrow", True)]


def test_the_staff_page_shows_both_and_marks_the_internal_one(dispatcher, ticket):
    services.add_comment(ticket=ticket, actor=dispatcher, text="Owes us a router")
    services.add_comment(ticket=ticket, actor=dispatcher, text="Coming at 3", is_public=True)
    page = client_for(dispatcher).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Owes us a router" in page and "Coming at 3" in page
    assert page.count('data-public="false"') == 1 and page.count('data-public="true"') == 1
    assert "comment-internal" in page and ">internal</span>" in page
    assert 'name="is_public"' in page


def test_a_ticket_without_customer_has_no_public_choice(dispatcher, kind):
    bare = services.create_ticket(actor=dispatcher, kind=kind, description="Tidy the rack")
    page = client_for(dispatcher).get(f"/tickets/{bare.pk}/").content.decode()
    assert 'name="is_public"' not in page
    with pytest.raises(TicketError):
        services.add_comment(ticket=bare, actor=dispatcher, text="x", is_public=True)
    assert not bare.comments.exists()


def test_who_cannot_work_on_the_ticket_cannot_comment_publicly(ticket, tech, south_tech):
    # tech sees North tickets but is neither participant nor has "change"
    with pytest.raises(TicketForbidden):
        services.add_comment(ticket=ticket, actor=tech, text="Hello", is_public=True)
    assert client_for(tech).post(
        f"/tickets/{ticket.pk}/comment/", {"text": "Hello", "is_public": "on"}
    ).status_code in (400, 403)
    # an outsider of another site does not even find the ticket
    assert (
        client_for(south_tech)
        .post(f"/tickets/{ticket.pk}/comment/", {"text": "Hello", "is_public": "on"})
        .status_code
        == 404
    )
    assert not ticket.comments.exists()


def test_an_executor_may_answer_the_subscriber(dispatcher, tech, ticket):
    services.assign_ticket(ticket=ticket, actor=dispatcher, responsible=None, executors=[tech])
    comment = services.add_comment(ticket=ticket, actor=tech, text="On my way", is_public=True)
    assert comment.is_public


def test_the_api_takes_and_returns_the_flag(dispatcher, ticket):
    api = client_for(dispatcher)
    url = f"/api/v1/tasks/tickets/{ticket.pk}/comments"
    internal = api.post(url, {"text": "Note"}).json()
    public = api.post(url, {"text": "Answer", "is_public": "true"}).json()
    assert internal["is_public"] is False and public["is_public"] is True
    listed = api.get(url).json()
    assert [(c["text"], c["is_public"], c["customer_id"]) for c in listed] == [
        ("Note", False, None),
        ("Answer", True, None),
    ]


def test_the_database_refuses_an_internal_subscriber_reply(dispatcher, ticket, customer):
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketComment.objects.create(
            ticket=ticket, author=dispatcher, customer=customer, text="x", is_public=False
        )
