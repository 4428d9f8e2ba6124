"""REST API of parties, contracts and the address registry."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.test import Client

from lastmile.accounts.services import create_api_token
from lastmile.addresses.gar import import_gar
from lastmile.addresses.models import AddressObject
from lastmile.contracts import services as contracts
from lastmile.parties.models import LegalEntity
from tests.factories import CustomerFactory, UserFactory, grant
from tests.parties.helpers import legal_values, legal_with_contract

pytestmark = pytest.mark.django_db


def _client(user):  # type: ignore[no-untyped-def]
    _t, secret = create_api_token(user=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def api():  # type: ignore[no-untyped-def]
    return _client(UserFactory(username="integrator", is_superuser=True))


def _post(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json")


def test_create_legal_entity_refuses_a_wrong_inn_as_problem_details(api):
    response = _post(api, "/api/v1/parties/legal-entities", legal_values(inn="7707083894"))
    assert response.status_code == 422
    assert response.json()["field"] == "inn"
    assert "control digit" in response.json()["detail"]
    response = _post(api, "/api/v1/parties/legal-entities", legal_values())
    assert response.status_code == 201
    assert _post(api, "/api/v1/parties/legal-entities", legal_values()).status_code == 409


def test_branch_and_contract_state_through_the_api(api):
    entity, main = legal_with_contract(starts_on=dt.date(2024, 1, 10))
    customer = CustomerFactory()
    branch_contract = contracts.create_contract(
        number="B-1", starts_on=dt.date(2024, 1, 10), customer=customer, state="active"
    )
    response = _post(
        api, f"/api/v1/parties/legal-entities/{entity.pk}/branches", {"customer_id": customer.pk}
    )
    assert response.status_code == 201
    assert response.json()["export_name"] == "ООО Ромашка"
    assert api.get(f"/api/v1/parties/legal-entities/{entity.pk}").json()["branch_customer_ids"] == [
        customer.pk
    ]

    response = _post(api, f"/api/v1/contracts/{main.pk}/state", {"to_state": "draft"})
    assert response.status_code == 422
    response = _post(
        api,
        f"/api/v1/contracts/{main.pk}/state",
        {"to_state": "terminated", "on_date": "2024-07-01"},
    )
    assert {c["id"] for c in response.json()} == {main.pk, branch_contract.pk}
    detail = api.get(f"/api/v1/contracts/{branch_contract.pk}").json()
    assert detail["ends_on"] == "2024-07-01"
    assert [e["to_state"] for e in detail["events"]] == ["active", "terminated"]
    assert api.get("/api/v1/contracts", {"customer_id": customer.pk}).json()["count"] == 1


def test_addresses_api():
    import_gar(Path(__file__).parents[1] / "addresses" / "gar" / "77")
    api = _client(UserFactory(username="reader", is_superuser=True))
    town = AddressObject.objects.get(gar_object_id=200)
    body = api.get("/api/v1/addresses", {"parent_id": town.pk}).json()
    assert {item["name"] for item in body["items"]} == {"Ленина", "Солнечная"}
    flat = AddressObject.objects.get(gar_object_id=500)
    assert api.get(f"/api/v1/addresses/{flat.pk}").json()["full_name"].endswith("кв. 5")


def test_outsider_sees_nothing():
    legal_entity_id = LegalEntity.objects.create(
        **{k: v for k, v in legal_values().items() if k != "kind"}
    ).pk
    outsider = UserFactory()
    grant(outsider, LegalEntity, ["view"], constraints={"inn": "0"})
    api = _client(outsider)
    assert api.get(f"/api/v1/parties/legal-entities/{legal_entity_id}").status_code == 404
    assert api.get("/api/v1/parties/legal-entities").json()["count"] == 0
