"""Security headers (probe 6.13): CSP without inline scripts, HSTS over TLS,
no-store on authenticated responses, Secure cookies outside the demo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

import lastmile
from lastmile.accounts.services import create_api_token
from lastmile.conf import Settings
from lastmile.conf.security import csp_directives
from tests.cabinet.conftest import PASSWORD as CABINET_PASSWORD
from tests.cabinet.conftest import bearer, cabinet_login, make_subscriber
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = sorted(Path(lastmile.__file__).parent.glob("**/templates/**/*.html"))


@pytest.fixture
def subscriber(db, settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_subscriber(login="alice", full_name="Alice Doe", balance="10.00")


def _no_store(response) -> bool:  # type: ignore[no-untyped-def]
    return "no-store" in response.get("Cache-Control", "")


def test_every_page_has_a_csp_without_inline_scripts(admin_client, subscriber):
    for response in (
        Client().get("/login/"),
        admin_client.get("/customers/"),
        cabinet_login(Client(), subscriber).get("/cabinet/"),
    ):
        policy = csp_directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_no_template_has_inline_script(template):
    text = template.read_text()
    inline_scripts = [
        tag
        for tag in re.findall(r"<script\b[^>]*>", text)
        if "src=" not in tag and 'type="application/json"' not in tag
    ]
    assert inline_scripts == []
    assert re.findall(r"\son[a-z]+\s*=", text) == []
    assert "javascript:" not in text


def test_the_policy_text_is_parsed_into_directives():
    assert csp_directives(
        "default-src 'self'; img-src 'self' data:;; upgrade-insecure-requests"
    ) == {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "upgrade-insecure-requests": [],
    }


def test_staff_pages_are_not_stored(admin_client):
    assert _no_store(admin_client.get("/customers/"))
    assert _no_store(admin_client.get("/"))
    assert not _no_store(Client().get("/healthz"))  # nothing private there


def test_staff_api_answers_are_not_stored(admin_user):
    _token, raw = create_api_token(user=admin_user, name="t")
    response = Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert _no_store(response)
    assert not _no_store(Client().get("/api/v1/status"))


def test_cabinet_pages_and_api_are_not_stored(subscriber):
    assert _no_store(cabinet_login(Client(), subscriber).get("/cabinet/"))
    response = Client().get(
        "/api/v1/me/account",
        **{"HTTP_" + k.upper(): v for k, v in bearer(subscriber).items()},  # type: ignore[arg-type]
    )
    assert response.status_code == 200
    assert _no_store(response)


def test_hsts_is_sent_over_tls_only():
    assert "Strict-Transport-Security" not in Client().get("/login/")
    response = Client().get("/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_permissions_policy_is_sent():
    assert "camera=()" in Client().get("/login/")["Permissions-Policy"]


def test_cookies_are_secure_by_default_outside_the_demo():
    production = Settings(demo=False, secret_key="x" * 50, encryption_key="y" * 44)
    assert production.session_cookie_secure is True
    assert Settings(demo=True).session_cookie_secure is False
    assert Settings(demo=True, session_cookie_secure=True).session_cookie_secure is True


def test_secure_cookies_cover_the_staff_and_the_cabinet_session(settings, subscriber):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    UserFactory(username="cashier")
    staff = Client()
    response = staff.post("/login/", {"username": "cashier", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    cabinet = Client()
    response = cabinet.post("/cabinet/login/", {"login": "alice", "password": CABINET_PASSWORD})
    assert response.status_code == 302
    assert response.cookies["lastmile_cabinet"]["secure"] is True
    page = Client().get("/login/")
    assert page.cookies["csrftoken"]["secure"] is True
