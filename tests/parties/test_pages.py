"""Staff pages of legal entities: forms say what is wrong; permissions hold."""

from __future__ import annotations

import datetime as dt

import pytest

from lastmile.contracts import services as contracts
from lastmile.parties.models import Branch, LegalEntity
from tests.factories import CustomerFactory, UserFactory, grant
from tests.parties.helpers import legal_values, legal_with_contract

pytestmark = pytest.mark.django_db


def _form_data(**overrides):
    data = dict(legal_values(**overrides))
    data.setdefault("kind", "legal")
    data["is_active"] = "on"
    return data


def test_create_form_refuses_a_wrong_inn_on_its_field(admin_client):
    response = admin_client.post("/parties/legal/add/", _form_data(inn="7707083894"))
    assert response.status_code == 200
    assert "This INN fails its control digit check" in response.content.decode()
    assert not LegalEntity.objects.exists()


def test_create_form_in_russian(admin_client):
    admin_client.cookies["django_language"] = "ru"
    response = admin_client.post(
        "/parties/legal/add/", _form_data(bik="123"), headers={"accept-language": "ru"}
    )
    assert "БИК состоит из 9 цифр" in response.content.decode()


def test_create_then_list_and_detail(admin_client):
    response = admin_client.post("/parties/legal/add/", _form_data())
    entity = LegalEntity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/parties/legal/{entity.pk}/"
    assert "ООО «Ромашка»" in admin_client.get("/parties/legal/").content.decode()
    page = admin_client.get(f"/parties/legal/{entity.pk}/").content.decode()
    assert "7707083893" in page and "Иванов Иван" in page


def test_add_branch_form_shows_the_dates_mismatch(admin_client):
    entity, _ = legal_with_contract(starts_on=dt.date(2024, 1, 10))
    customer = CustomerFactory(login="branch1")
    contracts.create_contract(number="B-1", starts_on=dt.date(2024, 3, 1), customer=customer)

    response = admin_client.post(f"/parties/legal/{entity.pk}/", {"login": "branch1"})
    assert "a branch&#x27;s contracts must start on the same day" in response.content.decode()
    assert not Branch.objects.exists()

    response = admin_client.post(f"/parties/legal/{entity.pk}/", {"login": "nobody"})
    assert "There is no customer with this login." in response.content.decode()


def test_add_branch_form_links_the_customer(admin_client):
    entity, _ = legal_with_contract()
    CustomerFactory(login="branch2")
    response = admin_client.post(
        f"/parties/legal/{entity.pk}/", {"login": "branch2", "name": "Склад"}
    )
    assert response.status_code == 302
    assert Branch.objects.get().name == "Склад"
    assert "branch2" in admin_client.get(f"/parties/legal/{entity.pk}/").content.decode()


def test_outsider_gets_404_and_403(client):
    entity, _ = legal_with_contract()
    outsider = UserFactory()
    grant(outsider, LegalEntity, ["view"], constraints={"inn": "0000000000"})
    client.force_login(outsider)
    assert client.get(f"/parties/legal/{entity.pk}/").status_code == 404
    assert "Ромашка" not in client.get("/parties/legal/").content.decode()
    assert client.get("/parties/legal/add/").status_code == 403


def test_passport_form_validates(admin_client):
    customer = CustomerFactory()
    response = admin_client.post(
        f"/parties/customers/{customer.pk}/individual/",
        {"last_name": "Петров", "series": "45A9", "number": "123456"},
    )
    assert "The passport series is digits only." in response.content.decode()
    response = admin_client.post(
        f"/parties/customers/{customer.pk}/individual/",
        {"last_name": "Петров", "series": "4509", "number": "123456", "unit_code": "770-001"},
    )
    assert response.status_code == 302


def test_passport_form_needs_the_permission(client):
    customer = CustomerFactory()
    from lastmile.customers.models import Customer

    clerk = UserFactory()
    grant(clerk, Customer, ["view"])
    client.force_login(clerk)
    assert client.get(f"/parties/customers/{customer.pk}/individual/").status_code == 403
