"""The tickets REST API, as the technicians' mobile app uses it."""

from __future__ import annotations

import pytest

from lastmile.tickets import services
from tests.tickets.conftest import client_for

pytestmark = pytest.mark.django_db


def _create(client, kind, customer, **extra):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/tasks/tickets",
        {"kind_id": kind.pk, "description": "No link", "customer_id": customer.pk, **extra},
        content_type="application/json",
    )


def test_create_assign_work_and_finish_over_the_api(dispatcher, tech, kind, customer):
    api = client_for(dispatcher)
    response = _create(api, kind, customer, priority="high")
    assert response.status_code == 201, response.content
    ticket = response.json()
    assert ticket["state"] == "new" and ticket["allowed_states"] == ["cancelled", "in_progress"]

    choices = api.get(f"/api/v1/tasks/tickets/{ticket['id']}/executor-choices").json()
    assert {c["username"] for c in choices} == {"dispatcher", "tech"}

    assigned = api.post(
        f"/api/v1/tasks/tickets/{ticket['id']}/assign",
        {"executor_ids": [tech.pk], "responsible_id": dispatcher.pk},
        content_type="application/json",
    )
    assert assigned.status_code == 200
    assert [e["username"] for e in assigned.json()["executors"]] == ["tech"]

    mobile = client_for(tech)
    mine = mobile.get("/api/v1/tasks/tickets", {"mine": "true", "state": ["new"]}).json()
    assert [t["id"] for t in mine["items"]] == [ticket["id"]]
    url = f"/api/v1/tasks/tickets/{ticket['id']}/transition"
    assert (
        mobile.post(url, {"to_state": "in_progress"}, content_type="application/json").status_code
        == 200
    )
    no_comment = mobile.post(url, {"to_state": "done"}, content_type="application/json")
    assert no_comment.status_code == 400
    assert "comment is required" in no_comment.json()["detail"]
    done = mobile.post(
        url, {"to_state": "done", "comment": "Cable replaced"}, content_type="application/json"
    )
    assert done.json()["state"] == "done"

    log = api.get(f"/api/v1/tasks/tickets/{ticket['id']}/log").json()
    assert [e["action"] for e in log] == ["created", "assigned", "state", "state"]
    assert log[-1]["comment"] == "Cable replaced" and log[-1]["actor_name"] == "tech"
    assert log[1]["after"]["executors"] == ["tech"]


def test_api_refuses_inactive_executor(dispatcher, retired, kind, customer):
    api = client_for(dispatcher)
    ticket = _create(api, kind, customer).json()
    response = api.post(
        f"/api/v1/tasks/tickets/{ticket['id']}/assign",
        {"executor_ids": [retired.pk]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "retired" in response.json()["detail"]
    choices = api.get(f"/api/v1/tasks/tickets/{ticket['id']}/executor-choices").json()
    assert "retired" not in {c["username"] for c in choices}


def test_api_refuses_illegal_transition_with_409(dispatcher, kind, customer):
    api = client_for(dispatcher)
    ticket = _create(api, kind, customer).json()
    response = api.post(
        f"/api/v1/tasks/tickets/{ticket['id']}/transition",
        {"to_state": "done", "comment": "x"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "cannot become" in response.json()["detail"]


def test_outsider_gets_404(dispatcher, south_tech, kind, customer):
    ticket = _create(client_for(dispatcher), kind, customer).json()
    response = client_for(south_tech).get(f"/api/v1/tasks/tickets/{ticket['id']}")
    assert response.status_code == 404


def test_comment_with_attachment_over_the_api(dispatcher, kind, customer, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    api = client_for(dispatcher)
    ticket = _create(api, kind, customer).json()
    png = SimpleUploadedFile(
        "photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png"
    )
    response = api.post(
        f"/api/v1/tasks/tickets/{ticket['id']}/comments",
        {"text": "Photo of the box", "files": [png]},
    )
    assert response.status_code == 201, response.content
    (attachment,) = response.json()["attachments"]
    assert attachment["name"] == "photo.png" and attachment["size_bytes"] == 108
    assert list((tmp_path / "tickets" / str(ticket["id"])).iterdir())
    download = api.get(f"/api/v1/tasks/attachments/{attachment['id']}")
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined,arg-type]


def test_list_filters_by_state_and_executor(dispatcher, tech, kind, customer):
    a = services.create_ticket(
        actor=dispatcher, kind=kind, description="a", customer=customer, executors=[tech]
    )
    services.create_ticket(actor=dispatcher, kind=kind, description="b", customer=customer)
    api = client_for(dispatcher)
    items = api.get("/api/v1/tasks/tickets", {"executor": tech.pk}).json()["items"]
    assert [t["id"] for t in items] == [a.pk]
    assert api.get("/api/v1/tasks/tickets", {"state": ["done"]}).json()["items"] == []
