"""Files on the subscriber's requests and replies: the cabinet pages and
/api/v1/me/support, the staff attachments' limits, and only one's own files."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lastmile.cabinet import support
from lastmile.tickets import services as tickets
from lastmile.tickets.models import Ticket, TicketAttachment, TicketComment
from tests.cabinet.conftest import bearer
from tests.factories import TicketKindFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
API = "/api/v1/me/support"


@pytest.fixture(autouse=True)
def media(settings, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """Files go to a temporary media root; small limits make "too large" cheap."""
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(settings.LASTMILE, "ticket_attachment_max_bytes", 4096)
    monkeypatch.setattr(settings.LASTMILE, "ticket_attachment_max_files", 2)
    return tmp_path


@pytest.fixture(autouse=True)
def _request_kind(db):  # type: ignore[no-untyped-def]
    """A kind for requests (a transactional test may have flushed the seeded ones)."""
    return TicketKindFactory(code="repair", name="Repair")


def _png(name: str = "router.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _mine(customer: Any) -> Ticket:
    return support.open_request(customer=customer, subject="Slow", message="Very slow")


def _download(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)  # type: ignore[attr-defined,arg-type]


# --- the cabinet pages ---------------------------------------------------------------


def test_a_reply_with_a_photo_is_saved_and_listed_with_a_download_link(cabinet, subscriber):
    ticket = _mine(subscriber)
    response = cabinet.post(
        f"/cabinet/support/{ticket.pk}/", {"text": "The lights", "attachments": [_png()]}
    )
    assert response.status_code == 302
    attachment = TicketAttachment.objects.get()
    assert attachment.comment.customer == subscriber and attachment.comment.is_public
    assert (attachment.name, attachment.content_type) == ("router.png", "image/png")
    page = cabinet.get(f"/cabinet/support/{ticket.pk}/").content.decode()
    url = f"/cabinet/support/files/{attachment.pk}/"
    assert f'href="{url}"' in page and "router.png" in page
    assert _download(cabinet, url) == PNG


def test_a_new_request_takes_files(cabinet, subscriber):
    response = cabinet.post(
        "/cabinet/support/",
        {"subject": "No internet", "message": "Red light", "attachments": [_png()]},
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(customer=subscriber)
    assert ticket.comments.get().attachments.get().name == "router.png"


def test_a_file_alone_is_a_reply(cabinet, subscriber):
    ticket = _mine(subscriber)
    response = cabinet.post(f"/cabinet/support/{ticket.pk}/", {"attachments": [_png()]})
    assert response.status_code == 302
    assert ticket.comments.get().attachments.count() == 1


def test_a_reply_with_neither_text_nor_file_is_refused(cabinet, subscriber):
    ticket = _mine(subscriber)
    response = cabinet.post(f"/cabinet/support/{ticket.pk}/", {"text": " "})
    assert response.status_code == 400
    assert "Write your reply or attach a file." in response.content.decode()


def test_a_too_large_file_is_refused_with_a_message_and_nothing_is_saved(
    cabinet, subscriber, media
):
    ticket = _mine(subscriber)
    big = SimpleUploadedFile("log.txt", b"a" * 5000, content_type="text/plain")
    response = cabinet.post(
        f"/cabinet/support/{ticket.pk}/", {"text": "See the log", "attachments": [big]}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "log.txt is too large: 5 KiB, at most 4 KiB." in page
    assert "See the log" in page  # the text stays in the form
    assert not TicketComment.objects.exists() and not TicketAttachment.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


def test_an_executable_posing_as_a_photo_is_refused(cabinet, subscriber):
    ticket = _mine(subscriber)
    fake = SimpleUploadedFile("photo.jpg", b"MZ" + b"0" * 10)
    response = cabinet.post(f"/cabinet/support/{ticket.pk}/", {"text": "x", "attachments": [fake]})
    assert response.status_code == 400
    assert "photo.jpg does not look like a .jpg file." in response.content.decode()
    assert not TicketComment.objects.exists()


def test_more_files_than_allowed_are_refused(cabinet, subscriber):
    ticket = _mine(subscriber)
    files = [_png("a.png"), _png("b.png"), _png("c.png")]
    response = cabinet.post(f"/cabinet/support/{ticket.pk}/", {"text": "x", "attachments": files})
    assert response.status_code == 400
    assert "Attach at most 2 files at once (you chose 3)." in response.content.decode()
    assert not TicketAttachment.objects.exists()


def test_another_subscribers_file_is_404(cabinet, outsider):
    theirs = _mine(outsider)
    support.reply(customer=outsider, ticket=theirs, text="mine", files=[_png()])
    attachment = TicketAttachment.objects.get()
    assert cabinet.get(f"/cabinet/support/files/{attachment.pk}/").status_code == 404


def test_a_file_on_an_internal_staff_comment_is_404_and_not_listed(cabinet, subscriber, admin_user):
    ticket = _mine(subscriber)
    tickets.add_comment(ticket=ticket, actor=admin_user, text="internal", files=[_png("s.png")])
    attachment = TicketAttachment.objects.get()
    assert cabinet.get(f"/cabinet/support/files/{attachment.pk}/").status_code == 404
    assert "s.png" not in cabinet.get(f"/cabinet/support/{ticket.pk}/").content.decode()


def test_a_file_on_a_public_staff_reply_is_the_subscribers_to_download(
    cabinet, subscriber, admin_user
):
    ticket = _mine(subscriber)
    tickets.add_comment(
        ticket=ticket, actor=admin_user, text="Your contract", files=[_png()], is_public=True
    )
    attachment = TicketAttachment.objects.get()
    assert _download(cabinet, f"/cabinet/support/files/{attachment.pk}/") == PNG


def test_the_download_needs_the_cabinet_login(subscriber):
    ticket = _mine(subscriber)
    support.reply(customer=subscriber, ticket=ticket, text="mine", files=[_png()])
    attachment = TicketAttachment.objects.get()
    response = Client().get(f"/cabinet/support/files/{attachment.pk}/")
    assert response.status_code == 302 and "/cabinet/login/" in response["Location"]


def test_the_pages_offer_a_file_input_in_russian(cabinet, subscriber):
    ticket = _mine(subscriber)
    cabinet.cookies["django_language"] = "ru"
    for url in ("/cabinet/support/", f"/cabinet/support/{ticket.pk}/"):
        page = cabinet.get(url).content.decode()
        assert 'enctype="multipart/form-data"' in page
        assert 'type="file"' in page and "multiple" in page
        assert "Файлы" in page


# --- the API -------------------------------------------------------------------------


@pytest.fixture
def api(subscriber) -> Client:  # type: ignore[no-untyped-def]
    return Client(headers=bearer(subscriber))


def test_api_opens_a_request_with_files_as_a_multipart_form(api, subscriber):
    response = api.post(API, {"subject": "No internet", "text": "Red", "files": [_png()]})
    assert response.status_code == 201, response.content
    (reply,) = response.json()["replies"]
    (file,) = reply["attachments"]
    assert (file["name"], file["size_bytes"], reply["is_mine"]) == ("router.png", len(PNG), True)
    assert _download(api, file["url"]) == PNG


def test_api_reply_with_a_file_and_no_text(api, subscriber):
    ticket = _mine(subscriber)
    response = api.post(f"{API}/{ticket.pk}/replies", {"files": [_png()]})
    assert response.status_code == 201, response.content
    assert response.json()["attachments"][0]["name"] == "router.png"
    assert response.json()["text"] == ""


def test_api_json_replies_still_work(api, subscriber):
    ticket = _mine(subscriber)
    response = api.post(
        f"{API}/{ticket.pk}/replies", {"text": "Thanks"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["attachments"] == []


def test_api_a_too_large_file_is_400_with_the_reason_and_nothing_saved(api, subscriber):
    ticket = _mine(subscriber)
    big = SimpleUploadedFile("log.txt", b"a" * 5000)
    response = api.post(f"{API}/{ticket.pk}/replies", {"text": "log", "files": [big]})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "log.txt is too large" in response.json()["detail"]
    assert not TicketComment.objects.exists()


def test_api_another_subscribers_file_is_404(api, outsider):
    theirs = _mine(outsider)
    support.reply(customer=outsider, ticket=theirs, text="mine", files=[_png()])
    attachment = TicketAttachment.objects.get()
    assert api.get(f"{API}/files/{attachment.pk}").status_code == 404


def test_api_a_nul_in_a_form_field_is_422_not_500(api, subscriber):
    response = api.post(API, {"subject": "No\x00internet", "text": "Red", "files": [_png()]})
    assert response.status_code == 422
    assert not Ticket.objects.exists()


def test_api_a_multipart_request_without_a_subject_is_422_naming_it(api):
    response = api.post(API, {"text": "Red", "files": [_png()]})
    assert response.status_code == 422
    assert "subject" in response.json()["detail"]


def test_api_a_multipart_body_without_a_boundary_is_400_not_500(api):
    response = api.post(API, b'{"subject": "0", "text": "0"}', content_type="multipart/form-data")
    assert response.status_code == 400
    assert "no valid boundary" in response.json()["detail"]
    assert not Ticket.objects.exists()
