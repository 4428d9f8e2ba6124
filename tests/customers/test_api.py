"""REST API of customers: list with filters, create, PATCH semantics,
passwords, extra values, groups; errors as problem details."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lastmile.accounts.services import create_api_token
from lastmile.customers.models import Customer, ExtraField
from tests.factories import CustomerFactory, CustomerGroupFactory, ExtraFieldFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():  # type: ignore[no-untyped-def]
    user = UserFactory(username="integrator", is_superuser=True)
    _t, secret = create_api_token(user=user, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _json(client, method, url, body):  # type: ignore[no-untyped-def]
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_list_is_paginated_and_filtered(api):
    group = CustomerGroupFactory(name="Flats")
    CustomerFactory.create_batch(3, group=group)
    CustomerFactory(login="zed", full_name="Zed Zedov", is_active=False)
    body = api.get("/api/v1/customers", {"limit": 2}).json()
    assert body["count"] == 4 and len(body["items"]) == 2
    assert api.get("/api/v1/customers", {"q": "zedov"}).json()["items"][0]["login"] == "zed"
    assert api.get("/api/v1/customers", {"group": group.pk}).json()["count"] == 3
    assert api.get("/api/v1/customers", {"is_active": "false"}).json()["count"] == 1


def test_list_never_returns_secrets(api):
    CustomerFactory(pppoe_secret_encrypted="gAAAA-cipher")
    item = api.get("/api/v1/customers").json()["items"][0]
    assert item["has_pppoe_password"] is True
    assert "gAAAA" not in json.dumps(item)
    assert not {"pppoe_secret_encrypted", "cabinet_password"} & set(item)


def test_list_query_count_does_not_grow_with_rows(api, django_assert_max_num_queries):
    CustomerFactory.create_batch(40, group=CustomerGroupFactory())
    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/customers")
    assert len(response.json()["items"]) == 40


def test_create_and_get(api):
    response = _json(
        api,
        "post",
        "/api/v1/customers",
        {
            "login": "apiuser",
            "contract_number": "A-1",
            "phones": ["+7 900 1"],
            "pppoe_password": "ppp-1",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["has_pppoe_password"] is True and created["has_cabinet_password"] is False
    got = api.get(f"/api/v1/customers/{created['id']}").json()
    assert got["login"] == "apiuser" and got["phones"] == ["+7 900 1"]


def test_create_duplicate_login_is_409_problem(api):
    CustomerFactory(login="dup")
    response = _json(api, "post", "/api/v1/customers", {"login": "dup", "contract_number": "x"})
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["field"] == "login"
    assert "dup" in response.json()["detail"]


def test_patch_changes_only_sent_fields(api):
    customer = CustomerFactory(full_name="Keep Me", email="a@example.net")
    response = _json(api, "patch", f"/api/v1/customers/{customer.pk}", {"email": "b@example.net"})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.email == "b@example.net" and customer.full_name == "Keep Me"


def test_patch_null_group_clears_it_and_unknown_group_is_422(api):
    customer = CustomerFactory(group=CustomerGroupFactory())
    _json(api, "patch", f"/api/v1/customers/{customer.pk}", {"group_id": None})
    customer.refresh_from_db()
    assert customer.group is None
    response = _json(api, "patch", f"/api/v1/customers/{customer.pk}", {"group_id": 999999})
    assert response.status_code == 422


def test_site_id_is_refused_when_sites_are_disabled(api, north, settings):
    settings.LASTMILE.sites_enabled = False
    customer = CustomerFactory()
    response = _json(api, "patch", f"/api/v1/customers/{customer.pk}", {"site_id": north.pk})
    assert response.status_code == 422
    assert "Sites are disabled" in response.json()["detail"]


def test_set_passwords(api):
    customer = CustomerFactory()
    response = _json(
        api,
        "post",
        f"/api/v1/customers/{customer.pk}/passwords",
        {"pppoe_password": "new-ppp", "cabinet_password": "Long-Enough-Pass-9"},
    )
    assert response.status_code == 204
    customer.refresh_from_db()
    assert customer.get_pppoe_secret() == "new-ppp"
    assert customer.check_cabinet_password("Long-Enough-Pass-9")
    weak = _json(
        api, "post", f"/api/v1/customers/{customer.pk}/passwords", {"cabinet_password": "123"}
    )
    assert weak.status_code == 422 and weak.json()["field"] == "cabinet_password"


def test_extra_values_round_trip_and_type_errors(api):
    field = ExtraFieldFactory(name="Floor", kind=ExtraField.Kind.NUMBER)
    customer = CustomerFactory()
    url = f"/api/v1/customers/{customer.pk}/extra-values"
    response = _json(api, "put", url, [{"field_id": field.pk, "value": "4"}])
    assert response.status_code == 200
    assert response.json() == [
        {"field_id": field.pk, "name": "Floor", "kind": "number", "value": "4"}
    ]
    again = _json(api, "put", url, [{"field_id": field.pk, "value": "5"}])
    assert again.json()[0]["value"] == "5"
    bad = _json(api, "put", url, [{"field_id": field.pk, "value": "high"}])
    assert bad.status_code == 422
    assert "must be a number" in bad.json()["detail"]


def test_groups_and_extra_fields(api):
    created = _json(api, "post", "/api/v1/customers/groups", {"name": "Business"})
    assert created.status_code == 201
    group_id = created.json()["id"]
    assert _json(api, "post", "/api/v1/customers/groups", {"name": "business"}).status_code == 409
    renamed = _json(api, "patch", f"/api/v1/customers/groups/{group_id}", {"name": "B2B"})
    assert renamed.json()["name"] == "B2B"
    assert api.get("/api/v1/customers/groups").json()["count"] == 1
    field = _json(
        api,
        "post",
        "/api/v1/customers/extra-fields",
        {"name": "Tax", "kind": "text", "group_id": group_id},
    )
    assert field.status_code == 201
    bad = _json(api, "post", "/api/v1/customers/extra-fields", {"name": "R", "kind": "choice"})
    assert bad.status_code == 422


def test_unknown_customer_is_404_problem(api):
    response = api.get("/api/v1/customers/999999")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_customer_count_is_unchanged_by_a_failed_create(api):
    _json(api, "post", "/api/v1/customers", {"login": "bad login", "contract_number": "1"})
    assert not Customer.objects.exists()


def test_a_customers_own_session_limit_is_set_cleared_and_checked(api):
    customer = CustomerFactory()
    url = f"/api/v1/customers/{customer.pk}"
    assert api.get(url).json()["simultaneous_use"] is None
    assert _json(api, "patch", url, {"simultaneous_use": 3}).json()["simultaneous_use"] == 3
    customer.refresh_from_db()
    assert customer.simultaneous_use == 3
    assert _json(api, "patch", url, {"email": "x@example.net"}).json()["simultaneous_use"] == 3
    assert _json(api, "patch", url, {"simultaneous_use": None}).json()["simultaneous_use"] is None
    for bad in (-1, 1001, "many"):
        assert _json(api, "patch", url, {"simultaneous_use": bad}).status_code == 422, bad
    customer.refresh_from_db()
    assert customer.simultaneous_use is None


def test_a_new_customer_can_have_its_own_session_limit(api):
    body = {"login": "dual", "contract_number": "D-1", "simultaneous_use": 2}
    created = _json(api, "post", "/api/v1/customers", body)
    assert created.status_code == 201, created.content
    assert created.json()["simultaneous_use"] == 2
    assert Customer.objects.get(login="dual").simultaneous_use == 2
