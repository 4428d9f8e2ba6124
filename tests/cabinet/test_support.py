"""Support requests from the cabinet: a ticket through the tickets service."""

from __future__ import annotations

from django.test import Client

from lastmile.accounts.models import User
from lastmile.tickets.models import Ticket, TicketComment, TicketKind
from tests.cabinet.conftest import cabinet_login


def _send(client: Client, **data: object):  # type: ignore[no-untyped-def]
    body: dict[str, object] = {
        "subject": "No internet",
        "message": "Since the morning, the light is red.",
    }
    body.update(data)
    return client.post("/cabinet/support/", body)


def test_request_opens_a_ticket_for_the_customer(cabinet, subscriber):
    response = _send(cabinet)
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cabinet/support/{ticket.pk}/"
    assert ticket.customer == subscriber and ticket.state == "new"
    assert ticket.description == "No internet\n\nSince the morning, the light is red."
    assert ticket.kind.code == "other"
    assert ticket.author.username == "cabinet" and not ticket.author.is_active
    assert ticket.log.get().actor_name == "customer:alice"
    page = cabinet.get("/cabinet/support/").content.decode()
    assert f"№{ticket.pk} · No internet" in page and "New" in page


def test_chosen_category_is_the_ticket_kind(cabinet):
    repair = TicketKind.objects.get(code="repair")
    _send(cabinet, category=repair.pk)
    assert Ticket.objects.get().kind == repair


def test_state_and_staff_replies_are_shown(cabinet, admin_user):
    _send(cabinet)
    ticket = Ticket.objects.get()
    admin_user.first_name = "Pavel"
    admin_user.save()
    TicketComment.objects.create(
        ticket=ticket, author=admin_user, text="A technician comes at 3.", is_public=True
    )
    page = cabinet.get(f"/cabinet/support/{ticket.pk}/").content.decode()
    assert "A technician comes at 3." in page and "Pavel" in page
    assert 'data-testid="request-state">New' in page


def test_another_customers_request_is_not_found(cabinet, outsider):
    other = cabinet_login(Client(), outsider)
    _send(other)
    ticket = Ticket.objects.get()
    assert cabinet.get(f"/cabinet/support/{ticket.pk}/").status_code == 404
    assert f"№{ticket.pk}" not in cabinet.get("/cabinet/support/").content.decode()


def test_half_filled_form_keeps_the_text(cabinet):
    response = _send(cabinet, subject="")
    assert response.status_code == 400
    assert "Since the morning, the light is red." in response.content.decode()
    assert not Ticket.objects.exists()


def test_requests_are_limited_per_hour_and_the_text_stays(cabinet, settings, monkeypatch):
    monkeypatch.setattr(settings.LASTMILE, "cabinet_requests_per_hour", 2)
    assert _send(cabinet).status_code == 302
    assert _send(cabinet).status_code == 302
    response = _send(cabinet, message="Third one, please keep me.")
    assert response.status_code == 429
    text = response.content.decode()
    assert "Third one, please keep me." in text and "your text is still in the form" in text
    assert Ticket.objects.count() == 2


def test_staff_ticket_list_shows_the_request(cabinet, admin_client):
    _send(cabinet)
    ticket = Ticket.objects.get()
    page = admin_client.get(f"/tickets/{ticket.pk}/")
    assert page.status_code == 200
    assert "No internet" in page.content.decode()
    assert User.objects.filter(username="cabinet").count() == 1
