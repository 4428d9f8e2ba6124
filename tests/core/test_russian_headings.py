"""In Russian the list headings and tab titles are Russian (they were fixed in
English at import time by class-level gettext)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/finance/payments/", "Платежи"),
        ("/network/sessions/", "Сессии"),
        ("/network/leases/", "Аренды адресов"),
    ],
)
def test_list_heading_and_title_follow_the_language(admin_client, url, heading):
    admin_client.cookies["django_language"] = "ru"
    page = admin_client.get(url).content.decode()
    assert f"<h1>{heading}</h1>" in page
    assert f"<title>{heading} · lastmile</title>" in page
