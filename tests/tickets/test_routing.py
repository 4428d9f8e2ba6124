"""Who takes a new ticket that nobody is assigned to: the kind's
responsible-by-default person when their permissions cover the ticket;
otherwise the staff who may assign it are told that it waits.  Ticket kinds
are edited on their own staff page."""

from __future__ import annotations

import pytest

from lastmile.notifications.models import Outbox
from lastmile.tickets import services, subscriber
from lastmile.tickets.errors import TicketError
from lastmile.tickets.kinds import save_kind
from lastmile.tickets.models import Ticket, TicketKind, TicketLog
from tests.factories import UserFactory
from tests.tickets.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("email_on")]

WAITS = "ticket_unassigned"
ASSIGNED = "ticket_assigned"


def _request(kind: TicketKind, customer) -> Ticket:  # type: ignore[no-untyped-def]
    return subscriber.open_subscriber_request(
        customer=customer, subject="No internet", message="Red light", kind=kind
    )


def _recipients(event: str) -> list[str]:
    return sorted(Outbox.objects.filter(event=event).values_list("recipient", flat=True))


def test_a_subscribers_request_goes_to_the_kinds_responsible(kind, customer, tech, dispatcher):
    kind.default_responsible = tech
    kind.save()
    ticket = _request(kind, customer)
    ticket.refresh_from_db()
    assert ticket.responsible == tech
    entry = TicketLog.objects.get(ticket=ticket, action=TicketLog.Action.ASSIGNED)
    assert entry.actor_name == "cabinet"
    assert _recipients(ASSIGNED) == ["tech@isp.test"]
    assert _recipients(WAITS) == []


def test_a_staff_ticket_without_anyone_goes_to_the_kinds_responsible(
    kind, customer, tech, dispatcher
):
    kind.default_responsible = tech
    kind.save()
    ticket = services.create_ticket(
        actor=dispatcher, kind=kind, description="Move the ONU", customer=customer
    )
    assert ticket.responsible == tech
    # Naming someone at creation is not overridden.
    other = services.create_ticket(
        actor=dispatcher, kind=kind, description="x", customer=customer, executors=[dispatcher]
    )
    assert other.responsible is None


def test_without_a_responsible_the_dispatchers_hear_it_waits(kind, customer, tech, dispatcher):
    ticket = _request(kind, customer)
    assert ticket.responsible is None
    # The dispatcher may assign (change); the technician only sees North tickets.
    assert _recipients(WAITS) == ["dispatcher@isp.test"]
    row = Outbox.objects.get(event=WAITS)
    assert row.subject == f"New ticket #{ticket.pk} waits for someone"
    assert "the subscriber in the cabinet" in row.body and "north-cust" in row.body
    assert row.dedup_key == f"ticket_unassigned:{ticket.pk}:{dispatcher.pk}"


def test_a_responsible_outside_the_tickets_site_is_passed_over(
    kind, customer, south_tech, dispatcher
):
    kind.default_responsible = south_tech
    kind.save()
    ticket = _request(kind, customer)
    assert ticket.responsible is None
    assert _recipients(WAITS) == ["dispatcher@isp.test"]


def test_an_inactive_responsible_is_passed_over(kind, customer, retired, dispatcher):
    kind.default_responsible = retired
    kind.save()
    ticket = _request(kind, customer)
    assert ticket.responsible is None and _recipients(WAITS) == ["dispatcher@isp.test"]


def test_whoever_opened_a_waiting_ticket_is_not_told_about_it(kind, customer, dispatcher, north):
    from tests.factories import grant

    chief = UserFactory(username="chief", site=north, email="chief@isp.test")
    grant(chief, Ticket, ["view", "change"], {"site__slug": "north"})
    services.create_ticket(actor=dispatcher, kind=kind, description="x", customer=customer)
    assert _recipients(WAITS) == ["chief@isp.test"]


def test_the_russian_notice(kind, customer, dispatcher, email_on):
    email_on.language_code = "ru"
    ticket = _request(kind, customer)
    row = Outbox.objects.get(event=WAITS)
    assert row.subject == f"Новая заявка №{ticket.pk} ждёт исполнителя"
    assert "оставил абонент в личном кабинете" in row.body


def test_the_unassigned_filter_lists_tickets_nobody_took(kind, customer, dispatcher, tech):
    waiting = _request(kind, customer)
    taken = _request(kind, customer)
    services.assign_ticket(ticket=taken, actor=dispatcher, responsible=None, executors=[tech])
    page = client_for(dispatcher).get("/tickets/?unassigned=true").content.decode()
    assert f"/tickets/{waiting.pk}/" in page and f"/tickets/{taken.pk}/" not in page
    page = client_for(dispatcher).get("/tickets/?unassigned=false").content.decode()
    assert f"/tickets/{taken.pk}/" in page and f"/tickets/{waiting.pk}/" not in page


def test_kinds_are_edited_on_their_page(admin_client, kind, tech):
    page = admin_client.get("/tickets/kinds/").content.decode()
    assert kind.name in page
    form = admin_client.get(f"/tickets/kinds/{kind.pk}/").content.decode()
    assert f'<option value="{tech.pk}">' in form
    answer = admin_client.post(
        f"/tickets/kinds/{kind.pk}/",
        {"code": "repair", "name": "Repair", "position": "1", "is_active": "on",
         "default_responsible": str(tech.pk)},
    )  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()[:2000]
    kind.refresh_from_db()
    assert kind.default_responsible == tech and kind.name == "Repair"
    answer = admin_client.post(
        "/tickets/kinds/add/", {"code": "repair", "name": "Twin", "position": "2"}
    )
    assert answer.status_code == 200 and TicketKind.objects.filter(name="Twin").count() == 0


def test_someone_without_any_ticket_grant_cannot_take_a_kind(admin_user, kind):
    outsider = UserFactory(username="outsider")
    with pytest.raises(TicketError) as refused:
        save_kind(actor=admin_user, kind=kind, changes={"default_responsible": outsider})
    assert refused.value.field == "default_responsible"
    kind.refresh_from_db()
    assert kind.default_responsible is None


def test_kinds_need_their_own_permission(client, dispatcher, kind):
    client.force_login(dispatcher)
    assert client.get("/tickets/kinds/").status_code == 403
    assert client.post(f"/tickets/kinds/{kind.pk}/", {"code": "x", "name": "y"}).status_code in (
        403,
        404,
    )
    kind.refresh_from_db()
    assert kind.code == "repair"
