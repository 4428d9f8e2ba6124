"""Three personas: the owner of site North, a colleague of the same site,
and an outsider from South, who gets 404 for North's customers."""

from __future__ import annotations

import json

import pytest

from lastmile.customers import services
from lastmile.customers.models import Customer
from tests.customers.conftest import client_for
from tests.factories import CustomerFactory, CustomerGroupFactory, UserFactory, grant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sites_enabled")]


def test_restrict_gives_each_persona_their_site(
    owner, colleague, outsider, north_customer, south_customer
):
    assert list(Customer.objects.restrict(owner, "view")) == [north_customer]
    assert list(Customer.objects.restrict(colleague, "change")) == [north_customer]
    assert list(Customer.objects.restrict(outsider, "view")) == [south_customer]


def test_ui_list_shows_only_own_site(owner, north_customer, south_customer):
    html = client_for(owner).get("/customers/").content.decode()
    assert "north1" in html and "south1" not in html


def test_ui_search_does_not_leak_other_sites(owner, north_customer, south_customer):
    html = client_for(owner).get("/customers/", {"q": "south"}).content.decode()
    assert "south1" not in html


def test_ui_outsider_gets_404_everywhere(outsider, north_customer):
    client = client_for(outsider)
    pk = north_customer.pk
    for url in (
        f"/customers/{pk}/",
        f"/customers/{pk}/edit/",
        f"/customers/{pk}/passwords/",
        f"/customers/{pk}/extra/",
        f"/history/customers/customer/{pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/customers/{pk}/reveal-secret/").status_code == 404
    assert client.post(f"/customers/{pk}/deactivate/").status_code == 404
    north_customer.refresh_from_db()
    assert north_customer.is_active


def test_ui_colleague_can_edit_a_customer_of_the_same_site(colleague, north_customer):
    data = {
        "login": north_customer.login,
        "contract_number": north_customer.contract_number,
        "full_name": "Edited by colleague",
        "site": north_customer.site_id,
        "is_active": "on",
    }
    response = client_for(colleague).post(f"/customers/{north_customer.pk}/edit/", data)
    assert response.status_code == 302
    north_customer.refresh_from_db()
    assert north_customer.full_name == "Edited by colleague"


def test_ui_owner_cannot_move_a_customer_to_another_site(owner, north_customer, south):
    grant(owner, type(south), ["view"])
    data = {
        "login": north_customer.login,
        "contract_number": north_customer.contract_number,
        "site": south.pk,
        "is_active": "on",
    }
    response = client_for(owner).post(f"/customers/{north_customer.pk}/edit/", data)
    assert response.status_code == 200
    assert "not allowed" in response.content.decode()
    north_customer.refresh_from_db()
    assert north_customer.site.slug == "north"


def test_view_only_staff_cannot_reveal_the_pppoe_password(north, north_customer):
    services.set_customer_passwords(customer=north_customer, pppoe_password="Top-Secret-1")
    viewer = UserFactory(username="viewer", site=north)
    grant(viewer, Customer, ["view"], {"site__slug": "north"})
    client = client_for(viewer)
    page = client.get(f"/customers/{north_customer.pk}/").content.decode()
    assert "reveal-secret" not in page
    response = client.post(f"/customers/{north_customer.pk}/reveal-secret/")
    assert response.status_code == 404
    assert b"Top-Secret-1" not in response.content


def test_owner_may_reveal_the_pppoe_password(owner, north_customer):
    services.set_customer_passwords(customer=north_customer, pppoe_password="Top-Secret-2")
    client = client_for(owner)
    assert "reveal-secret" in client.get(f"/customers/{north_customer.pk}/").content.decode()
    assert b"Top-Secret-2" in client.post(f"/customers/{north_customer.pk}/reveal-secret/").content


def test_group_constraint_limits_to_one_group():
    flats, business = CustomerGroupFactory(name="Flats"), CustomerGroupFactory(name="Business")
    mine = CustomerFactory(group=flats)
    CustomerFactory(group=business)
    user = UserFactory(username="flats-only")
    grant(user, Customer, ["view"], {"group__name": "Flats"})
    assert list(Customer.objects.restrict(user, "view")) == [mine]


def test_user_without_permission_gets_403_on_list_and_404_on_page(north_customer):
    client = client_for(UserFactory(username="nobody"))
    assert client.get("/customers/").status_code == 403
    assert client.get(f"/customers/{north_customer.pk}/").status_code == 404


# --- API ---------------------------------------------------------------------------
def test_api_list_and_get_respect_sites(owner, outsider, north_customer, south_customer):
    client = client_for(owner)
    assert [c["login"] for c in client.get("/api/v1/customers").json()["items"]] == ["north1"]
    assert client.get(f"/api/v1/customers/{north_customer.pk}").status_code == 200
    other = client.get(f"/api/v1/customers/{south_customer.pk}")
    assert other.status_code == 404
    assert other["Content-Type"] == "application/problem+json"


def test_api_outsider_cannot_patch_or_set_passwords(outsider, north_customer):
    client = client_for(outsider)
    body = json.dumps({"full_name": "Hijacked"})
    url = f"/api/v1/customers/{north_customer.pk}"
    assert client.patch(url, body, content_type="application/json").status_code == 404
    pw = json.dumps({"pppoe_password": "x-y-z"})
    assert client.post(url + "/passwords", pw, content_type="application/json").status_code == 404
    north_customer.refresh_from_db()
    assert north_customer.full_name != "Hijacked"
    assert not north_customer.pppoe_secret_encrypted


def test_api_colleague_can_patch(colleague, north_customer):
    response = client_for(colleague).patch(
        f"/api/v1/customers/{north_customer.pk}",
        json.dumps({"description": "called"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["description"] == "called"


def test_api_create_outside_own_site_is_403(owner, south):
    grant(owner, type(south), ["view"])
    response = client_for(owner).post(
        "/api/v1/customers",
        json.dumps({"login": "sneak", "contract_number": "s", "site_id": south.pk}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Customer.objects.filter(login="sneak").exists()


def test_api_create_without_add_permission_is_403(colleague):
    response = client_for(colleague).post(
        "/api/v1/customers",
        json.dumps({"login": "x1", "contract_number": "x1"}),
        content_type="application/json",
    )
    assert response.status_code == 403


def _api_patch(user, customer, body):  # type: ignore[no-untyped-def]
    from lastmile.accounts.services import create_api_token

    _t, secret = create_api_token(user=user, name="rename")
    return client_for(user).patch(
        f"/api/v1/customers/{customer.pk}",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )


def test_a_rename_to_a_login_outside_the_scope_does_not_confirm_it_exists(
    owner, north_customer, south_customer
):
    taken = _api_patch(owner, north_customer, {"login": south_customer.login})
    free = _api_patch(owner, north_customer, {"login": "nobody-has-this"})
    assert taken.status_code == 422
    body = taken.content.decode()
    assert "already" not in body and south_customer.login not in body
    assert free.status_code == 200
    north_customer.refresh_from_db()
    assert north_customer.login == "nobody-has-this"


def test_a_rename_to_a_login_in_the_scope_says_it_is_taken(owner, north_customer):
    other = CustomerFactory(login="north2", site=north_customer.site)
    response = _api_patch(owner, north_customer, {"login": other.login})
    assert response.status_code == 409
    assert "already exists" in response.content.decode()
