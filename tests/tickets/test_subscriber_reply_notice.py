"""A subscriber's reply tells the ticket's people: an outbox row per reply and person."""

from __future__ import annotations

import pytest
from django.db import transaction

from lastmile.notifications.models import Outbox
from lastmile.tickets import services, subscriber
from lastmile.tickets.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("email_on")]

EVENT = "ticket_subscriber_reply"


@pytest.fixture
def ticket(dispatcher, tech, kind, customer) -> Ticket:  # type: ignore[no-untyped-def]
    """The customer's own request, with the technician responsible for it."""
    opened = subscriber.open_subscriber_request(
        customer=customer, subject="No internet", message="Red light", kind=kind
    )
    return services.assign_ticket(ticket=opened, actor=dispatcher, responsible=tech, executors=[])


def _reply(ticket: Ticket, text: str = "Still red after the reboot."):  # type: ignore[no-untyped-def]
    return subscriber.add_subscriber_reply(ticket=ticket, customer=ticket.customer, text=text)


def test_a_subscriber_reply_enqueues_a_notice_to_the_responsible(ticket):
    comment = _reply(ticket)
    row = Outbox.objects.get(event=EVENT)
    assert (row.channel, row.recipient) == ("email", "tech@isp.test")
    assert row.subject == f"Subscriber replied on ticket #{ticket.pk}"
    assert "Still red after the reboot." in row.body and "north-cust" in row.body
    assert row.dedup_key.startswith(f"ticket_subscriber_reply:{comment.pk}:")


def test_a_staff_public_reply_enqueues_no_subscriber_reply_notice(ticket, dispatcher):
    services.add_comment(ticket=ticket, actor=dispatcher, text="We come at 3.", is_public=True)
    assert not Outbox.objects.filter(event=EVENT).exists()


def test_the_russian_template_renders_for_a_russian_install(ticket, email_on):
    email_on.language_code = "ru"
    _reply(ticket)
    row = Outbox.objects.get(event=EVENT)
    assert row.language == "ru" and row.state == "queued"
    assert row.subject == f"Ответ абонента в заявке №{ticket.pk}"
    assert "ответил в заявке" in row.body and "Still red after the reboot." in row.body


def test_each_reply_is_one_notice_per_person(ticket, dispatcher, tech):
    # The technician is responsible and an executor: still one message per reply.
    services.assign_ticket(ticket=ticket, actor=dispatcher, responsible=tech, executors=[tech])
    _reply(ticket, "first")
    _reply(ticket, "second")
    rows = list(Outbox.objects.filter(event=EVENT).order_by("id"))
    assert [r.recipient for r in rows] == ["tech@isp.test", "tech@isp.test"]
    assert len({r.dedup_key for r in rows}) == 2


def test_executors_are_told_as_well_as_the_responsible(ticket, dispatcher, tech):
    services.assign_ticket(
        ticket=ticket, actor=dispatcher, responsible=tech, executors=[dispatcher]
    )
    _reply(ticket)
    recipients = set(Outbox.objects.filter(event=EVENT).values_list("recipient", flat=True))
    assert recipients == {"tech@isp.test", "dispatcher@isp.test"}


def test_a_reply_on_an_unassigned_request_goes_to_who_may_assign_it(
    kind, customer, dispatcher, tech
):
    """Nobody is assigned: the staff who may assign the ticket (``change``)
    hear of the reply, not those who only see it."""
    opened = subscriber.open_subscriber_request(
        customer=customer, subject="No internet", message="Red light", kind=kind
    )
    _reply(opened)
    recipients = list(Outbox.objects.filter(event=EVENT).values_list("recipient", flat=True))
    assert recipients == ["dispatcher@isp.test"]


def test_the_notice_is_rolled_back_with_the_reply(ticket):
    with pytest.raises(RuntimeError), transaction.atomic():
        _reply(ticket)
        assert Outbox.objects.filter(event=EVENT).exists()
        raise RuntimeError("the request fails after the reply")
    assert not Outbox.objects.filter(event=EVENT).exists()
    assert not ticket.comments.exists()


def test_a_reply_that_reopens_the_ticket_says_so(ticket, tech):
    services.change_state(ticket=ticket, actor=tech, to_state="in_progress")
    services.change_state(ticket=ticket, actor=tech, to_state="done", comment="Fixed")
    _reply(ticket, "It broke again.")
    row = Outbox.objects.get(event=EVENT)
    assert "which is open again" in row.body
