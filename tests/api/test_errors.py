"""Every API error is RFC 9457 problem details with a message that says what to do."""

from __future__ import annotations

import pytest
from django.test import Client

from lastmile.accounts.services import create_api_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth():  # type: ignore[no-untyped-def]
    user = UserFactory(is_superuser=True)
    _t, secret = create_api_token(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_status_needs_no_auth():
    response = Client().get("/api/v1/status")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_malformed_json_is_a_problem_not_a_crash(auth):
    response = Client().post(
        "/api/v1/accounts/tokens", "{not json", content_type="application/json", **auth
    )
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == response.status_code
    assert body["detail"]


def test_validation_error_names_the_field(auth):
    response = Client().post(
        "/api/v1/accounts/tokens",
        {"name": "", "expires_in_days": -1},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    body = response.json()
    fields = {e["field"] for e in body["errors"]}
    assert any("name" in f for f in fields)
    assert any("expires_in_days" in f for f in fields)


def test_unknown_object_is_404_problem(auth, sites_enabled):
    response = Client().get("/api/v1/accounts/sites/999999", **auth)
    assert response.status_code == 404
    assert response.json()["title"] == "Not Found"


def test_problem_carries_request_id(auth):
    response = Client().get("/api/v1/accounts/sites/abc", HTTP_X_REQUEST_ID="req-12345678", **auth)
    assert response.status_code == 422
    assert response.json()["request_id"] == "req-12345678"
    assert response["X-Request-ID"] == "req-12345678"


def test_openapi_docs_use_local_assets():
    client = Client()
    client.force_login(UserFactory(is_superuser=True))
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/accounts/me" in schema.json()["paths"]
