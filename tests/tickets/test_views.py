"""Staff pages of tickets: list, create from a customer, assign, finish, attach."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory

from lastmile.tickets import services
from lastmile.tickets.models import Ticket
from tests.tickets.conftest import client_for

pytestmark = pytest.mark.django_db


def test_create_form_is_prefilled_from_customer_and_lists_only_eligible(
    dispatcher, tech, retired, south_tech, kind, customer
):
    page = client_for(dispatcher).get(f"/tickets/add/?customer={customer.pk}").content.decode()
    assert "north-cust" in page
    labels = set(re.findall(r'name="executors" value="\d+"[^>]*>\s*([\w-]+)', page))
    assert labels == {"dispatcher", "tech"}


def test_create_from_form_then_finish(dispatcher, tech, kind, customer):
    web = client_for(dispatcher)
    response = web.post(
        f"/tickets/add/?customer={customer.pk}",
        {
            "customer": customer.pk,
            "kind": kind.pk,
            "priority": "normal",
            "description": "Router dead",
            "executors": [tech.pk],
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"
    assert ticket.customer == customer and list(ticket.executors.all()) == [tech]

    tech_web = client_for(tech)
    tech_web.post(f"/tickets/{ticket.pk}/state/", {"to_state": "in_progress"})
    refused = tech_web.post(f"/tickets/{ticket.pk}/state/", {"to_state": "done", "comment": ""})
    assert refused.status_code == 400
    assert "A comment is required" in refused.content.decode()
    tech_web.post(f"/tickets/{ticket.pk}/state/", {"to_state": "done", "comment": "New router"})
    page = web.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "New router" in page and 'data-state="done"' in page


def test_ui_refuses_inactive_executor(dispatcher, retired, kind, customer):
    ticket = services.create_ticket(actor=dispatcher, kind=kind, description="x", customer=customer)
    web = client_for(dispatcher)
    page = web.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "retired" not in page
    response = web.post(f"/tickets/{ticket.pk}/assign/", {"executors": [retired.pk]})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ticket.executors.exists()


def test_ui_shows_illegal_transition_error(dispatcher, kind, customer):
    ticket = services.create_ticket(actor=dispatcher, kind=kind, description="x", customer=customer)
    response = client_for(dispatcher).post(
        f"/tickets/{ticket.pk}/state/", {"to_state": "done", "comment": "x"}
    )
    assert response.status_code == 400
    assert "cannot become" in response.content.decode()


def test_list_and_my_tickets(dispatcher, tech, kind, customer):
    mine = services.create_ticket(
        actor=dispatcher, kind=kind, description="mine", customer=customer, executors=[tech]
    )
    other = services.create_ticket(
        actor=dispatcher, kind=kind, description="other", customer=customer
    )
    web = client_for(tech)
    everything = web.get("/tickets/").content.decode()
    assert (
        f'href="/tickets/{mine.pk}/"' in everything and f'href="/tickets/{other.pk}/"' in everything
    )
    assert everything.index(f'href="/tickets/{mine.pk}/"') < everything.index(
        f'href="/tickets/{other.pk}/"'
    )
    only_mine = web.get("/tickets/my/").content.decode()
    assert f'href="/tickets/{other.pk}/"' not in only_mine
    filtered = web.get("/tickets/", {"state": "done"}).content.decode()
    assert f'href="/tickets/{mine.pk}/"' not in filtered


def test_attachment_type_and_size_are_limited(
    dispatcher, kind, customer, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(settings.LASTMILE, "ticket_attachment_max_bytes", 1000)
    ticket = services.create_ticket(actor=dispatcher, kind=kind, description="x", customer=customer)
    web = client_for(dispatcher)
    exe = SimpleUploadedFile("setup.exe", b"MZ" + b"0" * 10)
    page = web.post(
        f"/tickets/{ticket.pk}/comment/", {"text": "see", "attachments": [exe]}
    ).content.decode()
    assert "not allowed" in page
    fake = SimpleUploadedFile("photo.jpg", b"MZ" + b"0" * 10)
    page = web.post(
        f"/tickets/{ticket.pk}/comment/", {"text": "see", "attachments": [fake]}
    ).content.decode()
    assert "does not look like" in page
    big = SimpleUploadedFile("log.txt", b"a" * 2000)
    page = web.post(
        f"/tickets/{ticket.pk}/comment/", {"text": "see", "attachments": [big]}
    ).content.decode()
    assert "too large" in page
    assert not ticket.comments.exists()
    ok = SimpleUploadedFile("log.txt", b"link down at 10:02\n")
    response = web.post(f"/tickets/{ticket.pk}/comment/", {"text": "see", "attachments": [ok]})
    assert response.status_code == 302
    attachment = ticket.comments.get().attachments.get()
    download = web.get(f"/tickets/attachments/{attachment.pk}/")
    assert b"".join(download.streaming_content) == b"link down at 10:02\n"  # type: ignore[attr-defined,arg-type]


def test_customer_section_template_lists_tickets_and_new_link(dispatcher, kind, customer):
    ticket = services.create_ticket(actor=dispatcher, kind=kind, description="x", customer=customer)
    request = RequestFactory().get("/")
    request.user = dispatcher
    html = render_to_string(
        "tickets/_customer_tickets.html", {"customer": customer}, request=request
    )
    assert f"/tickets/{ticket.pk}/" in html
    assert f"/tickets/add/?customer={customer.pk}" in html
