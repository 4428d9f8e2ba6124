"""403, 404 and 500 come in the layout of the staff UI or of the cabinet, with
a way back; the REST API answers them as problem details."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FAILING = "tests.core.urls_failing"


def _html(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def test_staff_404_is_in_the_layout_with_a_way_back(admin_client):
    response = admin_client.get(
        "/customers/999999/", headers={"Referer": "http://testserver/customers/"}
    )
    assert response.status_code == 404
    page = _html(response)
    assert '<header class="topbar">' in page and "lastmile/lastmile.css" in page
    assert "<h1>Page not found</h1>" in page
    assert 'href="http://testserver/customers/">Back to the previous page</a>' in page
    assert 'href="/">Go to the dashboard</a>' in page


def test_a_foreign_referer_is_not_offered_as_the_way_back(admin_client):
    page = _html(admin_client.get("/no-such-page/", headers={"Referer": "https://evil.example/"}))
    assert "evil.example" not in page
    assert 'href="/">Go to the dashboard</a>' in page


def test_staff_403_is_in_the_layout():
    client = Client()
    client.force_login(UserFactory(username="cashier"))
    response = client.get("/billing/billing-runs/")
    assert response.status_code == 403
    page = _html(response)
    assert '<header class="topbar">' in page
    assert "<h1>Access denied</h1>" in page
    assert 'href="/">Go to the dashboard</a>' in page


def test_an_expired_form_is_explained_in_the_layout():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = _html(response)
    assert '<header class="topbar">' in page
    assert "<h1>The form has expired</h1>" in page


def test_error_pages_follow_the_language(admin_client):
    admin_client.cookies["django_language"] = "ru"
    page = _html(admin_client.get("/no-such-page/"))
    assert "<h1>Страница не найдена</h1>" in page
    assert "Перейти на панель управления" in page


def test_staff_500_is_in_the_layout_with_the_request_id(settings, admin_user):
    settings.ROOT_URLCONF = FAILING
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    response = client.get("/fail/", headers={"X-Request-ID": "req-0123456789abcdef"})
    assert response.status_code == 500
    page = _html(response)
    assert "lastmile/lastmile.css" in page and '<header class="topbar">' in page
    assert "<h1>Something went wrong</h1>" in page
    assert "<code>req-0123456789abcdef</code>" in page
    assert "boom" not in page
    assert 'href="/">Go to the dashboard</a>' in page


def test_cabinet_404_and_500_are_in_the_cabinet_layout(settings):
    client = Client(raise_request_exception=False)
    page = _html(client.get("/cabinet/no-such-page/"))
    assert '<header class="cab-top">' in page and "cabinet/cabinet.css" in page
    assert "<h1>Page not found</h1>" in page
    assert 'href="/cabinet/">Go to my cabinet</a>' in page
    settings.ROOT_URLCONF = FAILING
    response = client.get("/cabinet/fail/")
    assert response.status_code == 500
    assert '<header class="cab-top">' in _html(response)
    assert 'href="/cabinet/">Go to my cabinet</a>' in _html(response)


def test_api_errors_stay_problem_details(settings):
    client = Client(raise_request_exception=False)
    missing = client.get("/api/v1/no-such-endpoint/")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    settings.ROOT_URLCONF = FAILING
    failed = client.get("/api/v1/fail/")
    assert failed.status_code == 500
    assert failed.json()["status"] == 500
