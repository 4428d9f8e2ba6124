"""Staff API token scopes: read-only or read-write per area, within the user's
rights; tokens made before scopes existed keep full access; last use is kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from lastmile.accounts.errors import InvalidScope
from lastmile.accounts.models import ApiToken
from lastmile.accounts.services import create_api_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _api(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def root(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="root-api", is_superuser=True, is_staff=True)


def test_a_read_only_token_reads_but_does_not_write(root):
    _t, secret = create_api_token(user=root, name="report", scopes=["customers:read"])
    api = _api(secret)
    assert api.get("/api/v1/customers").status_code == 200
    response = api.post(
        "/api/v1/customers",
        {"login": "newbie", "contract_number": "N-1"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "scopes" in response.json()["detail"]


def test_a_token_is_limited_to_its_areas(root):
    _t, secret = create_api_token(user=root, name="cashier", scopes=["finance:write"])
    api = _api(secret)
    assert api.get("/api/v1/finance/payments").status_code == 200
    assert api.get("/api/v1/customers").status_code == 403
    assert api.get("/api/v1/accounts/me").status_code == 403


def test_write_includes_read(root):
    _t, secret = create_api_token(user=root, name="crm", scopes=["customers:write"])
    assert _api(secret).get("/api/v1/customers").status_code == 200


def test_scopes_never_widen_the_users_rights():
    plain = UserFactory(username="plain-api")
    _t, secret = create_api_token(user=plain, name="t", scopes=["customers:write"])
    response = _api(secret).post(
        "/api/v1/customers",
        {"login": "newbie", "contract_number": "N-1"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_new_tokens_default_to_full_scope(root):
    token, secret = create_api_token(user=root, name="t")
    assert token.scopes == ["*"]
    assert _api(secret).get("/api/v1/customers").status_code == 200


def test_a_token_from_before_scopes_keeps_full_access(root):
    """Migration 0002 run on a table of 0001's shape gives the old row full access.

    Only this migration is taken back and forth (inside the test's transaction);
    migrating the whole project back to accounts 0001 and forward again tested
    the same thing at the cost of minutes."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    migration = loader.get_migration("accounts", "0002_apitoken_scopes")
    before = loader.project_state(("accounts", "0001_initial"))
    with connection.schema_editor() as editor:
        migration.unapply(before, editor)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_apitoken (user_id, name, prefix, digest, created_at) "
            "VALUES (%s, 'old', 'old', %s, now()) RETURNING id",
            [root.pk, "0" * 64],
        )
        (token_id,) = cursor.fetchone()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER refuses pending FK checks
    with connection.schema_editor() as editor:
        migration.apply(before, editor)
    assert ApiToken.objects.get(pk=token_id).scopes == ["*"]


def test_unknown_scopes_are_refused(root):
    with pytest.raises(InvalidScope):
        create_api_token(user=root, name="t", scopes=["everything:write"])
    with pytest.raises(InvalidScope):
        create_api_token(user=root, name="t", scopes=[])


def test_the_api_creates_scoped_tokens_and_shows_scopes(root):
    _t, secret = create_api_token(user=root, name="admin")
    api = _api(secret)
    response = api.post(
        "/api/v1/accounts/tokens",
        {"name": "reader", "scopes": ["customers:read", "tasks:read"]},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["scopes"] == ["customers:read", "tasks:read"]
    bad = api.post(
        "/api/v1/accounts/tokens",
        {"name": "x", "scopes": ["nope:read"]},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "scopes"


def test_a_token_cannot_mint_a_wider_token(root):
    _t, secret = create_api_token(user=root, name="narrow", scopes=["accounts:write"])
    api = _api(secret)
    for wider in (["*"], ["finance:write"], ["customers:read"]):
        response = api.post(
            "/api/v1/accounts/tokens",
            {"name": "wider", "scopes": wider},
            content_type="application/json",
        )
        assert response.status_code == 422, wider
    same = api.post(
        "/api/v1/accounts/tokens",
        {"name": "same", "scopes": ["accounts:read"]},
        content_type="application/json",
    )
    assert same.status_code == 201


def test_last_use_is_recorded_and_listed(root):
    token, secret = create_api_token(user=root, name="t", scopes=["accounts:read"])
    assert token.last_used_at is None
    listed = _api(secret).get("/api/v1/accounts/tokens").json()
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert listed[0]["last_used_at"] is not None
    assert listed[0]["scopes"] == ["accounts:read"]


def test_the_token_page_creates_a_read_only_token(root):
    client = Client()
    client.force_login(root)
    response = client.post(
        "/accounts/tokens/",
        {"name": "export", "expires_in_days": 30, "scopes": ["finance:read"]},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="export")
    assert token.scopes == ["finance:read"]
    assert b"finance:read" in response.content


def test_a_nul_byte_in_the_token_name_is_refused_not_an_error(root):
    _t, secret = create_api_token(user=root, name="admin")
    response = _api(secret).post(
        "/api/v1/accounts/tokens",
        {"name": "bad\u0000name", "scopes": ["customers:read"]},
        content_type="application/json",
    )
    assert response.status_code == 422


def test_every_staff_router_has_a_scope_area():
    """A router without an area is reachable by "*" tokens only; every staff
    router mounted under /api/v1 must be grantable per area (the subscriber's
    /me router uses its own tokens)."""
    from lastmile.accounts import scopes
    from lastmile.api.main import api

    prefixes = {prefix.strip("/").split("/", 1)[0] for prefix, _router in api._routers}
    prefixes -= {"", "me"}
    assert prefixes, "no routers found"
    assert sorted(prefixes - set(scopes.AREAS)) == []


@pytest.mark.parametrize(
    ("area", "path"),
    [
        ("parties", "/api/v1/parties/legal-entities"),
        ("contracts", "/api/v1/contracts"),
        ("addresses", "/api/v1/addresses"),
        ("devices", "/api/v1/devices/"),
    ],
)
def test_a_read_token_of_a_registry_area_reads_it_and_nothing_else(root, area, path):
    _t, secret = create_api_token(user=root, name=f"{area}-reader", scopes=[f"{area}:read"])
    api = _api(secret)
    assert api.get(path).status_code == 200
    assert api.get("/api/v1/customers").status_code == 403
