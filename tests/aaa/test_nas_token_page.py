"""The staff page of a NAS's REST token: issue (shown once, only a hash kept,
the old token stops working), revoke, both under ``change`` on the NAS."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lastmile.aaa import rest
from lastmile.network.models import Nas
from tests.factories import NasFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


def _issued(page: str) -> str:
    match = re.search(r'data-testid="nas-token">(lmnas_[A-Za-z0-9_-]+)<', page)
    assert match, page[:3000]
    return match.group(1)


def test_issuing_shows_the_token_once_and_it_authenticates(admin_client):
    nas = NasFactory(name="bras-1")
    assert (
        "has no token" in admin_client.get(f"/network/access/nas/{nas.pk}/token/").content.decode()
    )
    page = admin_client.post(f"/network/access/nas/{nas.pk}/token/", {"action": "issue"})
    token = _issued(page.content.decode())
    assert rest.nas_for_token(token) == nas
    nas.refresh_from_db()
    assert token not in nas.api_token_hash and len(nas.api_token_hash) == 64
    again = admin_client.get(f"/network/access/nas/{nas.pk}/token/").content.decode()
    assert token not in again and "This NAS has a token." in again
    # A new token replaces the old one.
    second = _issued(
        admin_client.post(
            f"/network/access/nas/{nas.pk}/token/", {"action": "issue"}
        ).content.decode()
    )
    assert rest.nas_for_token(token) is None and rest.nas_for_token(second) == nas


def test_revoking_ends_http_access(admin_client):
    nas = NasFactory(name="bras-2")
    token = rest.issue_nas_token(nas=nas)
    answer = admin_client.post(f"/network/access/nas/{nas.pk}/token/", {"action": "revoke"})
    assert answer.status_code == 302
    assert rest.nas_for_token(token) is None
    assert Nas.objects.get(pk=nas.pk).api_token_hash == ""
    listed = admin_client.get("/network/nases/").content.decode()
    assert f"/network/access/nas/{nas.pk}/token/" in listed


def test_an_unknown_action_changes_nothing(admin_client):
    nas = NasFactory(name="bras-3")
    token = rest.issue_nas_token(nas=nas)
    page = admin_client.post(
        f"/network/access/nas/{nas.pk}/token/", {"action": "drop"}, follow=True
    )
    assert page.status_code == 200 and "Choose to issue or to revoke" in page.content.decode()
    assert rest.nas_for_token(token) == nas


def test_it_needs_change_on_that_nas():
    nas = NasFactory(name="bras-4")
    viewer = UserFactory(username="nas-viewer")
    grant(viewer, Nas, ["view"])
    client = Client()
    client.force_login(viewer)
    assert (
        client.post(f"/network/access/nas/{nas.pk}/token/", {"action": "issue"}).status_code == 404
    )
    assert Nas.objects.get(pk=nas.pk).api_token_hash == ""
