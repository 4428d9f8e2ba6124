"""Ticket use cases: creation, executors, the transition table and the log."""

from __future__ import annotations

import pytest
from django.db import ProgrammingError, transaction

from lastmile.notifications.models import Outbox
from lastmile.tickets import services
from lastmile.tickets.errors import (
    CommentRequired,
    ConcurrentChange,
    ExecutorNotAllowed,
    IllegalTransition,
    TicketForbidden,
)
from lastmile.tickets.models import Ticket, TicketLog
from lastmile.tickets.queries import eligible_executors, visible_tickets

pytestmark = pytest.mark.django_db


def _ticket(dispatcher, kind, customer, **kwargs):  # type: ignore[no-untyped-def]
    return services.create_ticket(
        actor=dispatcher, kind=kind, description="No link", customer=customer, **kwargs
    )


def test_ticket_takes_site_from_customer_and_logs_creation(dispatcher, kind, customer, north):
    ticket = _ticket(dispatcher, kind, customer)
    assert ticket.site == north and ticket.state == "new"
    (entry,) = ticket.log.all()
    assert entry.action == "created" and entry.actor == dispatcher
    assert entry.after["customer"] == "north-cust"


def test_executor_choices_are_active_staff_covering_the_site(
    dispatcher, tech, south_tech, retired, kind, customer
):
    ticket = _ticket(dispatcher, kind, customer)
    names = {u.username for u in eligible_executors(ticket=ticket)}
    assert names == {"dispatcher", "tech"}
    # The create form's list (before the ticket exists) is the same.
    before = services.executor_choices(actor=dispatcher, kind=kind, customer=customer, site=None)
    assert {u.username for u in before} == names
    assert not Ticket.objects.filter(description="probe").exists()


def test_inactive_staff_cannot_be_assigned(dispatcher, retired, kind, customer):
    ticket = _ticket(dispatcher, kind, customer)
    with pytest.raises(ExecutorNotAllowed) as info:
        services.assign_ticket(
            ticket=ticket, actor=dispatcher, responsible=None, executors=[retired]
        )
    assert "retired" in str(info.value)
    assert not ticket.executors.exists()
    assert not ticket.log.filter(action="assigned").exists()


def test_staff_of_another_site_cannot_be_assigned(dispatcher, south_tech, kind, customer):
    ticket = _ticket(dispatcher, kind, customer)
    with pytest.raises(ExecutorNotAllowed):
        services.assign_ticket(
            ticket=ticket, actor=dispatcher, responsible=south_tech, executors=[]
        )


def test_refused_executor_at_creation_creates_nothing(dispatcher, retired, kind, customer):
    with pytest.raises(ExecutorNotAllowed):
        _ticket(dispatcher, kind, customer, executors=[retired])
    assert not Ticket.objects.exists()


def test_every_reassignment_is_logged_before_and_after(dispatcher, tech, kind, customer):
    ticket = _ticket(dispatcher, kind, customer)
    services.assign_ticket(
        ticket=ticket, actor=dispatcher, responsible=dispatcher, executors=[tech]
    )
    services.assign_ticket(ticket=ticket, actor=dispatcher, responsible=tech, executors=[])
    # The same assignment again changes nothing and logs nothing.
    services.assign_ticket(ticket=ticket, actor=dispatcher, responsible=tech, executors=[])
    entries = list(ticket.log.filter(action="assigned"))
    assert [(e.before["responsible"], e.after["responsible"]) for e in entries] == [
        (None, "dispatcher"),
        ("dispatcher", "tech"),
    ]
    assert [(e.before["executors"], e.after["executors"]) for e in entries] == [
        ([], ["tech"]),
        (["tech"], []),
    ]
    assert all(e.actor_name == "dispatcher" for e in entries)


def test_assignment_notifies_the_new_executor(
    dispatcher, tech, kind, customer, monkeypatch, settings
):
    monkeypatch.setattr(settings.LASTMILE, "smtp_host", "127.0.0.1")
    ticket = _ticket(dispatcher, kind, customer, executors=[tech])
    row = Outbox.objects.get(event="ticket_assigned", channel="email")
    assert row.recipient == "tech@isp.test"
    assert f"#{ticket.pk}" in row.subject


def test_transition_table_refuses_illegal_moves_clearly(dispatcher, kind, customer):
    ticket = _ticket(dispatcher, kind, customer)
    with pytest.raises(IllegalTransition) as info:
        services.change_state(ticket=ticket, actor=dispatcher, to_state="done", comment="x")
    assert "“new” cannot become “done”" in str(info.value)
    assert "in progress" in str(info.value)
    ticket.refresh_from_db()
    assert ticket.state == "new"


def test_finish_requires_a_comment_which_appears_in_the_log(dispatcher, tech, kind, customer):
    ticket = _ticket(dispatcher, kind, customer, executors=[tech])
    services.change_state(ticket=ticket, actor=tech, to_state="in_progress")
    with pytest.raises(CommentRequired):
        services.change_state(ticket=ticket, actor=tech, to_state="done", comment="  ")
    services.change_state(ticket=ticket, actor=tech, to_state="done", comment="Replaced the cable")
    ticket.refresh_from_db()
    assert ticket.state == "done" and ticket.finished_at is not None
    last = ticket.log.order_by("-id").first()
    assert (last.from_state, last.to_state, last.comment, last.actor) == (
        "in_progress",
        "done",
        "Replaced the cable",
        tech,
    )


def test_fail_requires_comment_and_reopen_clears_finish_time(dispatcher, kind, customer):
    ticket = _ticket(dispatcher, kind, customer)
    services.change_state(ticket=ticket, actor=dispatcher, to_state="in_progress")
    with pytest.raises(CommentRequired):
        services.change_state(ticket=ticket, actor=dispatcher, to_state="failed")
    services.change_state(ticket=ticket, actor=dispatcher, to_state="failed", comment="No access")
    services.change_state(ticket=ticket, actor=dispatcher, to_state="in_progress")
    ticket.refresh_from_db()
    assert ticket.state == "in_progress" and ticket.finished_at is None


def test_stale_state_loses_to_the_first_change(dispatcher, kind, customer):
    ticket = _ticket(dispatcher, kind, customer)
    stale = Ticket.objects.get(pk=ticket.pk)
    services.change_state(ticket=ticket, actor=dispatcher, to_state="cancelled")
    with pytest.raises(ConcurrentChange):
        services.change_state(ticket=stale, actor=dispatcher, to_state="in_progress")


def test_finish_notifies_customer_when_the_kind_says_so(
    dispatcher, kind, customer, monkeypatch, settings
):
    monkeypatch.setattr(settings.LASTMILE, "smtp_host", "127.0.0.1")
    kind.notify_customer_on_finish = True
    kind.save()
    ticket = _ticket(dispatcher, kind, customer)
    services.change_state(ticket=ticket, actor=dispatcher, to_state="in_progress")
    services.change_state(ticket=ticket, actor=dispatcher, to_state="done", comment="Fixed")
    row = Outbox.objects.get(event="ticket_finished", channel="email")
    assert row.recipient == customer.email and "Fixed" in row.body


def test_outsider_cannot_change_state(dispatcher, south_tech, kind, customer):
    ticket = _ticket(dispatcher, kind, customer)
    with pytest.raises(TicketForbidden):
        services.change_state(ticket=ticket, actor=south_tech, to_state="in_progress")


def test_log_is_append_only(dispatcher, kind, customer):
    ticket = _ticket(dispatcher, kind, customer)
    with pytest.raises(ProgrammingError), transaction.atomic():
        TicketLog.objects.filter(ticket=ticket).update(comment="rewritten")


def test_own_open_tickets_come_first(dispatcher, tech, kind, customer):
    other = _ticket(dispatcher, kind, customer, priority="urgent")
    mine = _ticket(dispatcher, kind, customer, priority="low", executors=[tech])
    done = _ticket(dispatcher, kind, customer, executors=[tech])
    services.change_state(ticket=done, actor=tech, to_state="in_progress")
    services.change_state(ticket=done, actor=tech, to_state="done", comment="ok")
    assert list(visible_tickets(tech))[:3] == [mine, other, done]


def test_edit_is_logged(dispatcher, kind, customer):
    ticket = _ticket(dispatcher, kind, customer)
    services.update_ticket(ticket=ticket, actor=dispatcher, priority="high")
    entry = ticket.log.get(action="edited")
    assert (entry.before, entry.after) == ({"priority": "normal"}, {"priority": "high"})
