"""The subscriber's files, seen from the tickets app: the same checks as staff
comments, names that fit the disk, and staff see and download them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lastmile.tickets import services, subscriber
from lastmile.tickets.errors import AttachmentRejected
from lastmile.tickets.models import Ticket, TicketAttachment
from tests.tickets.conftest import client_for

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def ticket(kind, customer) -> Ticket:  # type: ignore[no-untyped-def]
    return subscriber.open_subscriber_request(
        customer=customer, subject="No internet", message="Red light", kind=kind
    )


def _png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG)


def test_staff_see_and_download_the_subscribers_file(ticket, customer, dispatcher):
    subscriber.add_subscriber_reply(ticket=ticket, customer=customer, text="", files=[_png()])
    attachment = TicketAttachment.objects.get()
    web = client_for(dispatcher)
    assert "photo.png" in web.get(f"/tickets/{ticket.pk}/").content.decode()
    download = web.get(f"/tickets/attachments/{attachment.pk}/")
    assert b"".join(download.streaming_content) == PNG  # type: ignore[attr-defined,arg-type]


def test_too_many_files_are_refused_for_staff_as_for_subscribers(
    ticket, customer, dispatcher, settings, monkeypatch
):
    monkeypatch.setattr(settings.LASTMILE, "ticket_attachment_max_files", 1)
    files = [_png("a.png"), _png("b.png")]
    with pytest.raises(AttachmentRejected, match="at most 1 files"):
        subscriber.add_subscriber_reply(ticket=ticket, customer=customer, text="x", files=files)
    with pytest.raises(AttachmentRejected, match="at most 1 files"):
        services.add_comment(ticket=ticket, actor=dispatcher, text="x", files=files)
    assert not ticket.comments.exists()


def test_a_long_cyrillic_name_is_kept_but_stored_short(ticket, customer, media):
    name = "фотография_роутера_" * 12 + ".png"  # far beyond 255 bytes in UTF-8
    subscriber.add_subscriber_reply(ticket=ticket, customer=customer, text="", files=[_png(name)])
    attachment = TicketAttachment.objects.get()
    assert attachment.name == name[:255]
    stored = attachment.file.name.rsplit("/", 1)[-1]
    assert stored.endswith(".png") and len(stored.encode()) <= 130
    assert attachment.file.open("rb").read() == PNG


def test_files_on_a_new_request_go_on_a_public_comment_of_the_customer(kind, customer):
    ticket = subscriber.open_subscriber_request(
        customer=customer, subject="No internet", message="Red", kind=kind, files=[_png()]
    )
    comment = ticket.comments.get()
    assert comment.customer == customer and comment.is_public and comment.text == ""
    assert comment.attachments.get().name == "photo.png"


def test_a_refused_file_on_a_new_request_opens_no_ticket(kind, customer):
    with pytest.raises(AttachmentRejected, match="not allowed"):
        subscriber.open_subscriber_request(
            customer=customer,
            subject="No internet",
            message="Red",
            kind=kind,
            files=[SimpleUploadedFile("setup.exe", b"MZ")],
        )
    assert not Ticket.objects.exists()
