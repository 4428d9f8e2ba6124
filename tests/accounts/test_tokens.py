from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from lastmile.accounts.models import ApiToken
from lastmile.accounts.services import create_api_token, revoke_api_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _get_me(secret: str):  # type: ignore[no-untyped-def]
    return Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_token_authenticates_its_user():
    user = UserFactory(username="api-user")
    _token, secret = create_api_token(user=user, name="t")
    response = _get_me(secret)
    assert response.status_code == 200
    assert response.json()["username"] == "api-user"


def test_token_is_stored_hashed():
    user = UserFactory()
    token, secret = create_api_token(user=user, name="t")
    stored = ApiToken.objects.values_list("prefix", "digest").get(pk=token.pk)
    assert secret not in "".join(stored)
    assert len(token.digest) == 64


def test_expired_token_is_refused():
    user = UserFactory()
    _token, secret = create_api_token(user=user, name="t", expires_in_days=1)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        response = _get_me(secret)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_revoked_token_is_refused():
    user = UserFactory()
    token, secret = create_api_token(user=user, name="t")
    revoke_api_token(token=token)
    assert _get_me(secret).status_code == 401


def test_token_of_deactivated_user_is_refused():
    user = UserFactory()
    _token, secret = create_api_token(user=user, name="t")
    user.is_active = False
    user.save()
    assert _get_me(secret).status_code == 401


def test_garbage_token_is_refused():
    assert _get_me("lm_deadbeef_nonsense").status_code == 401
    assert Client().get("/api/v1/accounts/me").status_code == 401


def test_token_create_list_revoke_through_api():
    user = UserFactory()
    _t, secret = create_api_token(user=user, name="bootstrap")
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    client = Client()
    created = client.post(
        "/api/v1/accounts/tokens",
        {"name": "ci", "expires_in_days": 7},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201
    new_secret = created.json()["secret"]
    assert _get_me(new_secret).status_code == 200
    revoked = client.post(f"/api/v1/accounts/tokens/{created.json()['id']}/revoke", **auth)
    assert revoked.status_code == 200
    assert _get_me(new_secret).status_code == 401


def test_cannot_revoke_someone_elses_token():
    owner, outsider = UserFactory(), UserFactory()
    token, owner_secret = create_api_token(user=owner, name="mine")
    _t, outsider_secret = create_api_token(user=outsider, name="theirs")
    response = Client().post(
        f"/api/v1/accounts/tokens/{token.pk}/revoke", HTTP_AUTHORIZATION=f"Bearer {outsider_secret}"
    )
    assert response.status_code == 404
    assert _get_me(owner_secret).status_code == 200


def test_ui_creates_and_revokes_token():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    page = client.post(
        "/accounts/tokens/", {"name": "laptop", "expires_in_days": 30, "scopes": ["*"]}
    )
    assert page.status_code == 200
    secret = page.context["new_secret"]
    assert secret and secret.encode() in page.content
    assert _get_me(secret).status_code == 200
    token = ApiToken.objects.get(user=user)
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert _get_me(secret).status_code == 401


def test_create_token_command_prints_a_working_secret():
    UserFactory(username="robot")
    out = io.StringIO()
    call_command("create_token", "robot", "--days", "1", stdout=out, stderr=io.StringIO())
    assert _get_me(out.getvalue().strip()).status_code == 200
