"""The staff customer list: columns, filters, natural order, paging, export,
bulk actions.  Personas (owner of North, outsider of South) in conftest."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lastmile.customers.models import Customer
from lastmile.finance import services as finance
from lastmile.network.models import Session
from tests.customers.conftest import client_for
from tests.factories import CustomerFactory, NasFactory, SubscriptionFactory, TariffFactory

pytestmark = pytest.mark.django_db


def _logins(response) -> list[str]:  # type: ignore[no-untyped-def]
    """Logins in page order, from the rendered links."""
    html = response.content.decode()
    found = [(html.find(f">{c.login}</a>"), c.login) for c in Customer.objects.all()]
    return [login for pos, login in sorted(found) if pos >= 0]


def _open_session(customer, sid="S1"):  # type: ignore[no-untyped-def]
    now = timezone.now()
    return Session.objects.create(
        nas=NasFactory(), acct_session_id=sid, customer=customer, login=customer.login,
        started_at=now, updated_at=now,
    )  # fmt: skip


def _set_balance(customer, amount: str, admin_user) -> None:  # type: ignore[no-untyped-def]
    finance.correct_balance(
        customer_id=customer.pk, amount=Decimal(amount), reason="test", actor=admin_user
    )


@pytest.fixture
def rich(admin_user):  # type: ignore[no-untyped-def]
    """Three customers that differ in every column."""
    fast = TariffFactory(name="Fast 100")
    slow = TariffFactory(name="Slow 10")
    debtor = CustomerFactory(login="debtor")
    _set_balance(debtor, "-150.00", admin_user)
    SubscriptionFactory(customer=debtor, tariff=slow, days=2)
    online = CustomerFactory(login="online")
    _set_balance(online, "500.00", admin_user)
    SubscriptionFactory(customer=online, tariff=fast, days=20)
    _open_session(online)
    blocked = CustomerFactory(login="blocked", is_active=False)
    return {"fast": fast, "slow": slow, "debtor": debtor, "online": online, "blocked": blocked}


def test_columns_show_balance_tariff_paid_until_online_blocked(admin_client, rich):
    page = admin_client.get("/customers/")
    table = page.context["table"]
    rows = {row.record.login: row for row in table.paginated_rows}  # what the page renders
    assert rows["debtor"].record.balance == Decimal("-150.00")
    assert rows["debtor"].record.tariff_name == "Slow 10"
    assert rows["online"].record.is_online is True
    assert rows["debtor"].record.is_online is False
    assert rows["blocked"].record.is_blocked is True
    assert rows["blocked"].record.tariff_name is None
    assert rows["online"].record.paid_until.date() == (
        rich["online"].subscriptions.get().period_end.date()
    )
    html = page.content.decode()
    for heading in ("Balance", "Tariff", "Paid until", "Online", "Blocked"):
        assert heading in html
    assert "Fast 100" in html and "-150" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"negative_balance": "true"}, {"debtor"}),
        ({"negative_balance": "false"}, {"online", "blocked"}),
        ({"online": "true"}, {"online"}),
        ({"online": "false"}, {"debtor", "blocked"}),
        ({"is_active": "false"}, {"blocked"}),
        ({"is_active": "true"}, {"debtor", "online"}),
        ({"ending_days": "3"}, {"debtor"}),
        ({"ending_days": "30"}, {"debtor", "online"}),
    ],
)
def test_filters(admin_client, rich, params, expected):
    assert set(_logins(admin_client.get("/customers/", params))) == expected


def test_filter_by_tariff(admin_client, rich):
    response = admin_client.get("/customers/", {"tariff": rich["fast"].pk})
    assert _logins(response) == ["online"]


def test_malformed_filter_values_are_refused_not_500(admin_client, rich):
    response = admin_client.get("/customers/", {"ending_days": "soon", "tariff": "x"})
    assert response.status_code == 200
    assert response.context["filter"].errors


def test_natural_order_of_logins(admin_client):
    for login in ("user10", "user2", "user1", "user100", "abc", "user20"):
        CustomerFactory(login=login)
    assert _logins(admin_client.get("/customers/")) == [
        "abc", "user1", "user2", "user10", "user20", "user100",
    ]  # fmt: skip
    descending = _logins(admin_client.get("/customers/", {"sort": "-login"}))
    assert descending == ["user100", "user20", "user10", "user2", "user1", "abc"]


def test_page_numbers_and_page_size(admin_client):
    CustomerFactory.create_batch(60)
    page = admin_client.get("/customers/", {"per_page": "25"})
    assert len(_logins(page)) == 25
    html = page.content.decode()
    assert "Page 1 of 3 (60 in all)" in html
    assert "page=3" in html and 'aria-current="page"' in html
    assert len(_logins(admin_client.get("/customers/", {"per_page": "7"}))) == 50


def test_a_fixed_number_of_queries_for_the_page_and_the_count(admin_client, rich):
    for n in range(20):
        customer = CustomerFactory(login=f"extra{n}")
        SubscriptionFactory(customer=customer, tariff=rich["fast"])
        _open_session(customer, sid=f"X{n}")
    admin_client.get("/customers/")  # warm up session and permission caches
    with CaptureQueriesContext(connection) as few:
        admin_client.get("/customers/", {"per_page": "25"})
    with CaptureQueriesContext(connection) as more:
        admin_client.get("/customers/", {"per_page": "200"})
    customer_queries = [q for q in more.captured_queries if 'FROM "customers_customer"' in q["sql"]]
    assert len(more) == len(few)
    # The count, the page's ids in list order (light: the columns are aliases),
    # and the columns for those rows only (deep pages stay as fast as the first).
    assert len(customer_queries) == 3, [q["sql"][:120] for q in customer_queries]


# --- export --------------------------------------------------------------------
def _csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_csv_export_has_exactly_the_filtered_rows_in_screen_order(admin_client, rich):
    for n in (3, 1, 12):
        CustomerFactory(login=f"user{n}", is_active=False)
    params = {"is_active": "false"}
    on_screen = _logins(admin_client.get("/customers/", params))
    response = admin_client.get("/customers/", {**params, "_export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    header, body = rows[0], rows[1:]
    assert "Balance" in header and "select" not in [h.lower() for h in header]
    login_at = header.index("Login")
    assert [row[login_at] for row in body] == on_screen == ["blocked", "user1", "user3", "user12"]


def test_csv_export_streams_in_chunks_without_losing_rows(admin_client, monkeypatch):
    from lastmile.customers.views import CustomerListView

    monkeypatch.setattr(CustomerListView, "export_chunk_rows", 4)
    for n in range(10):
        CustomerFactory(login=f"c{n}")
    rows = _csv_rows(admin_client.get("/customers/", {"_export": "csv"}))
    login_at = rows[0].index("Login")
    assert [r[login_at] for r in rows[1:]] == [f"c{n}" for n in range(10)]


def test_xlsx_export_of_a_filtered_list(admin_client, rich):
    response = admin_client.get("/customers/", {"online": "true", "_export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    login_at = list(values[0]).index("Login")
    assert [row[login_at] for row in values[1:]] == ["online"]


def test_export_never_includes_customers_outside_the_users_scope(
    owner, north_customer, south_customer
):
    response = client_for(owner).get("/customers/", {"_export": "csv"})
    rows = _csv_rows(response)
    login_at = rows[0].index("Login")
    assert [r[login_at] for r in rows[1:]] == ["north1"]


# --- bulk actions --------------------------------------------------------------
def _fired(monkeypatch) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    """Record the access-change hook (what disconnects a blocked customer)."""
    from lastmile.core.hooks import ACCESS_CHANGED

    calls: list[tuple[int, str]] = []
    original = ACCESS_CHANGED.fire

    def fire(**kwargs):  # type: ignore[no-untyped-def]
        calls.append((kwargs["customer_id"], str(kwargs["reason"])))
        return original(**kwargs)

    monkeypatch.setattr(ACCESS_CHANGED, "fire", fire)
    return calls


def test_bulk_block_of_three_customers_with_a_reason(admin_client, monkeypatch):
    chosen = [CustomerFactory(login=f"b{n}") for n in range(3)]
    untouched = CustomerFactory(login="keep")
    ids = [c.pk for c in chosen]
    confirm = admin_client.post("/customers/bulk/", {"action": "block", "select": ids})
    assert confirm.status_code == 200
    assert Customer.objects.filter(is_active=False).count() == 0  # nothing before confirming
    no_reason = admin_client.post(
        "/customers/bulk/", {"action": "block", "select": ids, "confirm": "1"}
    )
    assert no_reason.status_code == 200 and no_reason.context["form"].errors
    assert Customer.objects.filter(is_active=False).count() == 0
    fired = _fired(monkeypatch)
    done = admin_client.post(
        "/customers/bulk/",
        {"action": "block", "select": ids, "reason": "unpaid", "confirm": "1"},
    )
    assert done.status_code == 302
    assert set(Customer.objects.filter(is_active=False).values_list("login", flat=True)) == {
        "b0", "b1", "b2",
    }  # fmt: skip
    assert sorted(customer_id for customer_id, _ in fired) == ids
    untouched.refresh_from_db()
    assert untouched.is_active
    admin_client.post(
        "/customers/bulk/",
        {"action": "unblock", "select": ids[:2], "reason": "paid", "confirm": "1"},
    )
    assert list(Customer.objects.filter(is_active=False).values_list("login", flat=True)) == ["b2"]


def test_bulk_action_with_an_out_of_scope_customer_changes_nothing(
    owner, north, north_customer, south_customer, monkeypatch
):
    second = CustomerFactory(login="north2", site=north)
    fired = _fired(monkeypatch)
    response = client_for(owner).post(
        "/customers/bulk/",
        {
            "action": "block",
            "select": [north_customer.pk, second.pk, south_customer.pk],
            "reason": "test",
            "confirm": "1",
        },
        follow=True,
    )
    assert "outside what you may change" in response.content.decode()
    assert Customer.objects.filter(is_active=False).count() == 0
    assert fired == []


def test_bulk_selection_that_is_not_ids_is_a_clear_error(admin_client):
    response = admin_client.post(
        "/customers/bulk/", {"action": "block", "select": ["x"]}, follow=True
    )
    assert response.status_code == 200
    assert "The selection is not valid." in response.content.decode()


def test_bulk_tariff_change_all_or_nothing(admin_client, admin_user):
    tariff = TariffFactory(name="Home 50", price=300, is_public=True, is_active=True)
    rich_one = CustomerFactory(login="rich")
    _set_balance(rich_one, "1000.00", admin_user)
    poor = CustomerFactory(login="poor")
    ids = [rich_one.pk, poor.pk]
    data = {"action": "tariff", "tariff": tariff.pk, "select": ids, "confirm": "1"}
    refused = admin_client.post("/customers/bulk/", data)
    assert refused.status_code == 200
    assert "poor: " in refused.content.decode()
    assert "Nothing was changed" in refused.content.decode()
    assert not rich_one.subscriptions.exists()
    _set_balance(poor, "500.00", admin_user)
    second = admin_client.post("/customers/bulk/", data)
    assert second.status_code == 302, [str(m) for m in second.context["messages"]]
    assert (
        Customer.objects.filter(subscriptions__state="active", subscriptions__tariff=tariff).count()
        == 2
    )
