"""The morning dashboard: figures from aggregates, each card limited by the
user's object permissions and linking to the filtered list."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from lastmile.customers.models import Customer
from lastmile.finance import services as finance
from lastmile.finance.models import Account, LedgerEntry, Payment
from lastmile.network.models import Lease, Session
from lastmile.notifications.models import Outbox
from lastmile.tickets.models import Ticket
from tests.factories import (
    CustomerFactory,
    CustomerGroupFactory,
    NasFactory,
    PoolFactory,
    SubscriptionFactory,
    TariffFactory,
    TicketFactory,
    UserFactory,
    grant,
)

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def card(html: str, title: str) -> str:
    """The value of the card titled ``title``."""
    match = re.search(
        r'<span class="stat-value">([^<]*)</span><span class="stat-title">'
        + re.escape(title)
        + "<",
        html,
    )
    assert match, f"no card {title!r}"
    return match.group(1)


def card_link(html: str, title: str) -> str:
    match = re.search(
        r'href="([^"]*)"><span class="stat-value">[^<]*</span><span class="stat-title">'
        + re.escape(title)
        + "<",
        html,
    )
    assert match, f"no card {title!r}"
    return match.group(1).replace("&amp;", "&")


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    """Group East: two active customers (one a debtor, online, ending soon), one
    blocked; group West: one active customer with everything too."""
    east, west = CustomerGroupFactory(name="East"), CustomerGroupFactory(name="West")
    staff = UserFactory(username="cashier-boss")
    # The services check the actor's permissions (issue 15).
    grant(staff, Payment, ["add"])
    grant(staff, LedgerEntry, ["add"])
    e1 = CustomerFactory(login="e1", group=east)
    e2 = CustomerFactory(login="e2", group=east)
    CustomerFactory(login="e3", group=east, blocked=True)
    w1 = CustomerFactory(login="w1", group=west)
    finance.record_payment(customer_id=e1.pk, amount="1500.00", actor=staff)
    finance.record_payment(customer_id=w1.pk, amount="700.00", actor=staff)
    finance.correct_balance(customer_id=e2.pk, amount="-10.00", reason="test", actor=staff)
    finance.correct_balance(customer_id=w1.pk, amount="-900.00", reason="test", actor=staff)
    tariff = TariffFactory()
    SubscriptionFactory(customer=e1, tariff=tariff, days=2)
    SubscriptionFactory(customer=e2, tariff=tariff, days=20)
    SubscriptionFactory(customer=w1, tariff=tariff, days=1)
    nas = NasFactory(name="core-nas")
    NasFactory(name="silent-nas")
    now = timezone.now()
    for n, customer in enumerate([e1, w1]):
        Session.objects.create(
            nas=nas,
            acct_session_id=f"s{n}",
            customer=customer,
            login=customer.login,
            started_at=now,
            updated_at=now,
        )
    pool = PoolFactory(name="east-pool", network="10.50.0.0/29")
    Lease.objects.create(address="10.50.0.2", pool=pool, customer=e1, kind="static")
    TicketFactory(customer=e1, due_at=now - timedelta(hours=1))
    TicketFactory(customer=e2)
    TicketFactory(customer=w1, due_at=now - timedelta(hours=1))
    Outbox.objects.create(
        channel="email", recipient="e1@example.com", event="payment", customer=e1, state="failed"
    )
    return east, west


@pytest.fixture
def admin():  # type: ignore[no-untyped-def]
    return UserFactory(username="boss", is_superuser=True)


@pytest.fixture
def east_staff(world):  # type: ignore[no-untyped-def]
    user = UserFactory(username="east-staff")
    grant(user, Customer, ["view"], {"group__name": "East"})
    grant(user, Account, ["view"], {"customer__group__name": "East"})
    grant(user, Payment, ["view"], {"account__customer__group__name": "East"})
    grant(user, Session, ["view"], {"customer__group__name": "East"})
    grant(user, Ticket, ["view"], {"customer__group__name": "East"})
    return user


def test_admin_sees_every_figure(world, admin):  # type: ignore[no-untyped-def]
    html = client_for(admin).get("/").content.decode()
    assert card(html, "Active subscribers") == "3"
    assert card(html, "Blocked subscribers") == "1"
    assert card(html, "Online now") == "2"
    assert card(html, "Payments today") == "2,200.00"
    assert card(html, "Payments this month") == "2,200.00"
    assert card(html, "Debtors") == "2"
    assert card(html, "Subscriptions ending in 3 days") == "2"
    assert card(html, "Open tickets") == "3"
    assert card(html, "Overdue tickets") == "2"
    assert card(html, "Failed notifications") == "1"
    assert card(html, "Failed access changes") == "0"
    assert "east-pool" in html and "<td>1</td><td>6</td><td>17%</td>" in html
    assert "core-nas" in html and "silent-nas" in html and "no open sessions" in html


def test_cards_link_to_the_filtered_lists(world, admin):  # type: ignore[no-untyped-def]
    client = client_for(admin)
    html = client.get("/").content.decode()
    blocked = card_link(html, "Blocked subscribers")
    assert blocked == "/customers/?is_active=false"
    listing = client.get(blocked).content.decode()
    assert "e3" in listing and ">e1<" not in listing
    assert card_link(html, "Failed notifications") == "/notifications/?state=failed"
    assert card_link(html, "Online now") == "/network/sessions/?is_open=true"
    for title in ("Open tickets", "Overdue tickets", "Payments today", "Debtors"):
        assert client.get(card_link(html, title)).status_code == 200, title


def test_limited_user_sees_only_own_group(east_staff):  # type: ignore[no-untyped-def]
    html = client_for(east_staff).get("/").content.decode()
    assert card(html, "Active subscribers") == "2"
    assert card(html, "Blocked subscribers") == "1"
    assert card(html, "Online now") == "1"
    assert card(html, "Payments today") == "1,500.00"
    assert card(html, "Debtors") == "1"
    assert card(html, "Open tickets") == "2"
    assert card(html, "Overdue tickets") == "1"
    # No permission on these: no card at all.
    for title in ("Failed notifications", "Failed access changes", "Staff"):
        assert f'stat-title">{title}<' not in html, title
    assert 'data-table="pools"' not in html and 'data-table="nas"' not in html
    assert "Subscriptions ending in 3 days" not in html


def test_payments_chart_data_is_json_not_inline_script(world, admin):  # type: ignore[no-untyped-def]
    html = client_for(admin).get("/").content.decode()
    match = re.search(
        r'<script id="payments-chart-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert match
    data = json.loads(match.group(1))
    assert len(data["labels"]) == len(data["values"]) == 30
    assert data["values"][-1] == 2200.0 and sum(data["values"]) == 2200.0
    assert "/static/vendor/chart.umd.min.js" in html
    assert "/static/lastmile/dashboard.js" in html
    # Every <script> is either external or JSON data.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_user_without_permissions_gets_an_empty_dashboard():  # type: ignore[no-untyped-def]
    client = client_for(UserFactory(username="nobody"))
    client.cookies["django_language"] = "en"  # not whatever an earlier test left active
    html = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert "Nothing to show yet" in html
    assert "stat-value" not in html


def test_russian_dashboard(world, admin):  # type: ignore[no-untyped-def]
    client = client_for(admin)
    client.cookies["django_language"] = "ru"
    html = client.get("/", headers={"accept-language": "ru"}).content.decode()
    assert "Должники" in html
    assert "Debtors" not in html and "Online now" not in html


def test_payment_money_is_decimal_sum(world, admin):  # type: ignore[no-untyped-def]
    total = Payment.objects.filter(state="completed").values_list("amount", flat=True)
    assert sum(total) == Decimal("2200.00")
