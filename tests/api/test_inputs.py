"""Each input that once answered 500 (security probe 2026-12, section 5) is a 4xx
problem document now: one test per cause."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from lastmile.accounts.services import create_api_token
from lastmile.finance.models import LedgerEntry
from lastmile.subscriptions.models import Tariff
from tests.factories import (
    CustomerFactory,
    CustomerGroupFactory,
    ExtraFieldFactory,
    TariffFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HUGE = 143356685423905143669397181693952  # far beyond bigint


@pytest.fixture
def admin() -> Any:
    return UserFactory(username="inputs-admin", is_superuser=True, is_staff=True)


@pytest.fixture
def api(admin: Any) -> Client:
    _t, secret = create_api_token(user=admin, name="inputs")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["detail"]
    return body


def _fields(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body.get("errors", [])}


def _tariff(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Fuzzed",
        "price": "500.00",
        "rate_down_kbps": 1000,
        "rate_up_kbps": 1000,
    }
    return body | changes


# a: pagination ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/customers",
        "/api/v1/customers/groups",
        "/api/v1/billing/tariffs",
        "/api/v1/finance/ledger",
        "/api/v1/network/leases",
        "/api/v1/tasks/tickets",
        "/api/v1/aaa/access-changes",
    ],
)
def test_offset_beyond_bigint_is_refused_not_a_crash(api: Client, path: str) -> None:
    body = _problem(api.get(path, {"offset": HUGE, "limit": 5}), 422)
    assert any("offset" in f for f in _fields(body))


def test_page_size_has_a_maximum(api: Client) -> None:
    CustomerFactory.create_batch(3)
    maximum = settings.LASTMILE.api_max_page_size
    body = _problem(api.get("/api/v1/customers", {"limit": maximum + 1}), 422)
    assert any("limit" in f for f in _fields(body))
    response = api.get("/api/v1/customers", {"limit": maximum})
    assert response.status_code == 200
    assert response.json()["count"] == 3


# b: integer ranges ------------------------------------------------------------


@pytest.mark.parametrize("field", ["rate_down_kbps", "rate_up_kbps", "burst_down_kbps"])
def test_tariff_rate_above_integer_column_is_refused(api: Client, field: str) -> None:
    response = api.post(
        "/api/v1/billing/tariffs", _tariff(**{field: 2**31}), content_type="application/json"
    )
    body = _problem(response, 422)
    assert any(field in f for f in _fields(body))
    assert not Tariff.objects.exists()


def test_tariff_rate_at_integer_maximum_is_stored(api: Client) -> None:
    response = api.post(
        "/api/v1/billing/tariffs",
        _tariff(rate_down_kbps=2**31 - 1),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["rate_down_kbps"] == 2**31 - 1


# c: unknown foreign ids --------------------------------------------------------


def test_unknown_tariff_group_ids_are_named(api: Client) -> None:
    group = CustomerGroupFactory()
    response = api.post(
        "/api/v1/billing/tariffs",
        _tariff(group_ids=[group.pk, 9999, 55]),
        content_type="application/json",
    )
    body = _problem(response, 422)
    assert any("group_ids" in f for f in _fields(body))
    assert "9999" in body["detail"] and "55" in body["detail"]
    assert not Tariff.objects.exists()


@pytest.mark.parametrize("group_id", [HUGE, -278, 0])
def test_tariff_group_id_outside_the_key_range_is_refused(api: Client, group_id: int) -> None:
    response = api.post(
        "/api/v1/billing/tariffs", _tariff(group_ids=[group_id]), content_type="application/json"
    )
    body = _problem(response, 422)
    assert any("group_ids" in f for f in _fields(body))


# d: uniqueness ----------------------------------------------------------------


def test_tariff_put_with_another_tariffs_name_is_a_conflict(api: Client) -> None:
    first, second = TariffFactory(), TariffFactory()
    response = api.put(
        f"/api/v1/billing/tariffs/{second.pk}",
        _tariff(name=first.name),
        content_type="application/json",
    )
    _problem(response, 409)
    second.refresh_from_db()
    assert second.name != first.name


def test_tariff_put_keeping_its_own_name_is_fine(api: Client) -> None:
    tariff = TariffFactory()
    response = api.put(
        f"/api/v1/billing/tariffs/{tariff.pk}",
        _tariff(name=tariff.name, rate_down_kbps=2000),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


# e: address filter -------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/network/leases", "/api/v1/network/sessions"])
@pytest.mark.parametrize("address", ["Lastmile, Mira st., 49", "null", "10.0.0.256"])
def test_non_ip_address_filter_is_refused(api: Client, path: str, address: str) -> None:
    body = _problem(api.get(path, {"address": address}), 422)
    assert any("address" in f for f in _fields(body))


def test_ip_address_filter_still_filters(api: Client) -> None:
    response = api.get("/api/v1/network/leases", {"address": "10.0.0.1"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


# f: NUL characters -------------------------------------------------------------


def test_nul_in_a_json_body_is_refused(api: Client) -> None:
    response = api.post(
        "/api/v1/customers/extra-fields",
        '{"name": "\\u0000C", "kind": "text"}',
        content_type="application/json",
    )
    _problem(response, 422)


def test_nul_in_a_nested_json_string_is_refused(api: Client) -> None:
    customer = CustomerFactory()
    response = api.post(
        f"/api/v1/finance/customers/{customer.pk}/corrections",
        {"amount": "10.00", "reason": "typo\x00", "idempotency_key": "k-1"},
        content_type="application/json",
    )
    _problem(response, 422)
    assert not LedgerEntry.objects.exists()


def test_nul_in_a_query_string_is_refused(api: Client) -> None:
    _problem(api.get("/api/v1/customers?q=a%00b"), 422)


def test_nul_in_a_staff_page_query_is_a_bad_request(admin: Any) -> None:
    client = Client()
    client.force_login(admin)
    response = client.get("/customers/?q=a%00b")
    assert response.status_code == 400


def test_text_without_nul_passes(api: Client) -> None:
    response = api.post(
        "/api/v1/customers/extra-fields",
        {"name": "Floor \\u0000 as text", "kind": "text"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


# g, h: null for NOT NULL fields ------------------------------------------------


@pytest.mark.parametrize("field", ["is_required", "choices", "name", "kind", "position"])
def test_null_for_a_not_null_extra_field_attribute_is_refused(api: Client, field: str) -> None:
    extra = ExtraFieldFactory()
    response = api.patch(
        f"/api/v1/customers/extra-fields/{extra.pk}",
        {field: None},
        content_type="application/json",
    )
    body = _problem(response, 422)
    assert any(field in f for f in _fields(body))


def test_null_for_ticket_priority_is_refused(api: Client, admin: Any) -> None:
    ticket = TicketFactory(author=admin)
    response = api.patch(
        f"/api/v1/tasks/tickets/{ticket.pk}", {"priority": None}, content_type="application/json"
    )
    body = _problem(response, 422)
    assert any("priority" in f for f in _fields(body))


def test_null_for_a_nullable_field_still_clears_it(api: Client) -> None:
    group = CustomerGroupFactory()
    customer = CustomerFactory(group=group)
    response = api.patch(
        f"/api/v1/customers/{customer.pk}", {"group_id": None}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.group_id is None


def test_leaving_a_field_out_keeps_it(api: Client) -> None:
    extra = ExtraFieldFactory(is_required=True)
    response = api.patch(
        f"/api/v1/customers/extra-fields/{extra.pk}",
        {"name": "Renamed"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    extra.refresh_from_db()
    assert extra.is_required is True
    assert extra.name == "Renamed"


# i: history id -----------------------------------------------------------------


@pytest.mark.parametrize("pk", ["abc", "1.5", "-"])
def test_non_numeric_history_id_is_not_found(admin: Any, pk: str) -> None:
    client = Client()
    client.force_login(admin)
    assert client.get(f"/history/customers/customer/{pk}/").status_code == 404


def test_history_of_a_real_customer_still_shows(admin: Any) -> None:
    client = Client()
    client.force_login(admin)
    customer = CustomerFactory()
    assert client.get(f"/history/customers/customer/{customer.pk}/").status_code == 200


# ids beyond bigint in paths and query filters ------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/customers/{HUGE}",
        f"/api/v1/billing/tariffs/{HUGE}",
        f"/api/v1/tasks/tickets/{HUGE}",
        f"/api/v1/finance/customers/{HUGE}/ledger",
        f"/api/v1/network/leases?customer_id={HUGE}&pool_id={HUGE}",
        f"/api/v1/network/sessions?customer_id={HUGE}&nas_id=-{HUGE}",
        f"/api/v1/aaa/access-changes?customer_id={HUGE}",
    ],
)
def test_id_beyond_bigint_is_not_found_refused_or_empty(api: Client, path: str) -> None:
    response = api.get(path)
    if response.status_code == 200:
        assert response.json()["count"] == 0
    else:
        assert response.status_code in (404, 405, 422), response.content
        assert response["Content-Type"] == "application/problem+json"


def test_unknown_api_url_and_method_are_problems(api: Client) -> None:
    _problem(api.get("/api/v1/no-such-thing"), 404)
    tariff = TariffFactory()
    response = api.delete(f"/api/v1/billing/tariffs/{tariff.pk}")
    _problem(response, 405)
    assert "PUT" in response["Allow"]


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data", "multipart/form-data; boundary=", "multipart/mixed"]
)
def test_a_multipart_body_without_a_boundary_is_a_400_not_a_crash(content_type: str) -> None:
    """Found by schemathesis on /api/v1/me/password/forgot: the endpoint parsed
    the body as JSON, then django-axes read request.POST and the multipart
    parser raised."""
    body = b'{"login": "0", "kind": "email"}'
    for url in ("/api/v1/me/password/forgot", "/api/v1/me/tokens", "/cabinet/login/"):
        answer = Client().generic("POST", url, body, content_type=content_type)
        assert answer.status_code == 400, (url, answer.status_code)
        assert b"boundary" in answer.content


def test_a_multipart_body_with_a_boundary_still_reaches_the_view() -> None:
    answer = Client().post("/api/v1/me/password/forgot", {"login": "0", "kind": "email"})
    assert answer.status_code != 400 or b"boundary" not in answer.content
