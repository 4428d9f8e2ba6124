"""Cabinet pages in the subscriber's language: money, dates, the traffic chart, the menu."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from lastmile.cabinet import queries
from lastmile.network.models import Nas, Session

PAGES = [
    "/cabinet/",
    "/cabinet/tariffs/",
    "/cabinet/pay/",
    "/cabinet/ledger/",
    "/cabinet/payments/",
    "/cabinet/statement/",
    "/cabinet/sessions/",
    "/cabinet/support/",
    "/cabinet/settings/",
]


def _session(customer, nas, n: int, days_ago: int, down: int, up: int) -> Session:  # type: ignore[no-untyped-def]
    started = timezone.now() - timedelta(days=days_ago)
    return Session.objects.create(
        nas=nas,
        acct_session_id=f"s-{customer.pk}-{n}",
        customer=customer,
        started_at=started,
        updated_at=started,
        octets_out=down,
        octets_in=up,
    )


@pytest.fixture
def traffic(subscriber, outsider):  # type: ignore[no-untyped-def]
    nas = Nas.objects.create(name="nas1", address="10.0.0.1")
    _session(subscriber, nas, 1, 0, 3_000_000_000, 100_000_000)
    _session(subscriber, nas, 2, 0, 1_000_000_000, 50_000_000)
    _session(subscriber, nas, 3, 5, 500_000_000, 20_000_000)
    _session(subscriber, nas, 4, 45, 9_000_000_000, 0)  # outside the 30 days
    _session(outsider, nas, 5, 0, 7_000_000_000, 0)  # someone else's
    return subscriber


def test_daily_traffic_sums_the_customers_sessions_per_local_day(traffic):
    days = queries.daily_traffic(traffic)
    assert len(days) == 30 and days[-1].day == timezone.localdate()
    assert (days[-1].downloaded, days[-1].uploaded) == (4_000_000_000, 150_000_000)
    assert days[-6].downloaded == 500_000_000
    assert sum(d.downloaded for d in days) == 4_500_000_000


def test_traffic_chart_is_inline_svg_without_script(cabinet, traffic):
    page = cabinet.get("/cabinet/sessions/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    svg = page.split('data-testid="traffic-chart"')[1].split("</svg>")[0]
    assert svg.count('class="down"') == 30 and svg.count('class="up"') == 30
    # Geometry is never localised ("12,5" would break the SVG in Russian).
    assert not re.search(r'(x|y|width|height)="[0-9]+,[0-9]', svg)
    tallest = max(float(h) for h in re.findall(r'class="down"[^>]*height="([0-9.]+)"', svg))
    assert tallest == 162.0  # the busiest day fills the plot height
    assert "<script" not in page.split("</head>")[1]


def test_no_traffic_says_so(cabinet):
    page = cabinet.get("/cabinet/sessions/").content.decode()
    assert 'data-testid="traffic-chart-empty"' in page


def test_money_and_dates_follow_the_language(cabinet, subscriber, client):
    cabinet.cookies["django_language"] = "ru"
    page = cabinet.get("/cabinet/ledger/").content.decode()
    assert "1\xa0000,00\xa0₽" in page
    today = timezone.localdate()
    assert today.strftime("%d.%m.%Y") in page
    cabinet.cookies["django_language"] = "en"
    page = cabinet.get("/cabinet/ledger/").content.decode()
    assert "1,000.00\xa0₽" in page
    assert f"{today.month:02d}/{today.day:02d}/{today.year}" in page


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_page_answers_and_marks_its_menu_item(cabinet, path, language):
    cabinet.cookies["django_language"] = language
    response = cabinet.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('aria-current="page"') == 1
    assert 'name="language"' in page  # the language switcher
