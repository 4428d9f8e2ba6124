"""Staff pages: list with filters and paging, forms, the customer page."""

from __future__ import annotations

import pytest

from lastmile.customers import services
from lastmile.customers.models import Customer, ExtraField, ExtraFieldValue
from lastmile.customers.queries import register_customer_section, unregister_customer_section
from tests.factories import CustomerFactory, CustomerGroupFactory, ExtraFieldFactory

pytestmark = pytest.mark.django_db


def _logins(response) -> set[str]:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    return {c.login for c in Customer.objects.all() if f">{c.login}</a>" in html}


def test_list_search_finds_by_login_contract_name_phone_and_address(admin_client):
    CustomerFactory(
        login="alpha",
        contract_number="K-77",
        full_name="Ivanova Anna",
        phones=["+7 912 345-67-89"],
        street="Sadovaya st.",
        house="3",
    )
    CustomerFactory(login="beta", full_name="Petrov Pyotr", street="Mira st.")
    for query in ("ALPHA", "k-77", "ivanova", "345-67", "sadovaya"):
        response = admin_client.get("/customers/", {"q": query})
        assert _logins(response) == {"alpha"}, query


def test_list_filters_by_group_and_status(admin_client):
    flats = CustomerGroupFactory(name="Flats")
    CustomerFactory(login="in-group", group=flats)
    CustomerFactory(login="blocked", group=flats, is_active=False)
    CustomerFactory(login="other")
    assert _logins(admin_client.get("/customers/", {"group": flats.pk})) == {"in-group", "blocked"}
    assert _logins(admin_client.get("/customers/", {"is_active": "false"})) == {"blocked"}


def test_site_filter_and_column_only_when_sites_enabled(admin_client, settings, north):
    CustomerFactory(login="x", site=north)
    settings.LASTMILE.sites_enabled = False
    page = admin_client.get("/customers/").content.decode()
    assert 'name="site"' not in page
    form = admin_client.get("/customers/add/").content.decode()
    assert 'name="site"' not in form
    settings.LASTMILE.sites_enabled = True
    assert 'name="site"' in admin_client.get("/customers/").content.decode()
    assert 'name="site"' in admin_client.get("/customers/add/").content.decode()


def test_list_is_paged_on_the_server(admin_client):
    CustomerFactory.create_batch(60)
    first = admin_client.get("/customers/")
    assert "Page 1 of 2 (60 in all)" in first.content.decode()
    assert len(_logins(first)) == 50
    second = admin_client.get("/customers/", {"page": 2})
    assert len(_logins(second)) == 10


def test_list_query_count_does_not_grow_with_rows(admin_client, django_assert_max_num_queries):
    group = CustomerGroupFactory()
    CustomerFactory.create_batch(50, group=group)
    with django_assert_max_num_queries(8):
        response = admin_client.get("/customers/")
    assert response.status_code == 200


def test_htmx_filter_returns_only_the_table(admin_client):
    CustomerFactory(login="only")
    response = admin_client.get("/customers/", {"q": "only"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b"only" in response.content


def test_create_customer_through_the_form(admin_client):
    response = admin_client.post(
        "/customers/add/",
        {
            "login": "newbie",
            "contract_number": "N-1",
            "phones": "+7 900 1, +7 900 2",
            "is_active": "on",
            "pppoe_password": "ppp-secret",
            "cabinet_password": "",
        },
    )
    customer = Customer.objects.get(login="newbie")
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/"
    assert customer.phones == ["+7 900 1", "+7 900 2"]
    assert customer.get_pppoe_secret() == "ppp-secret"


def test_form_shows_a_domain_error_on_its_field(admin_client):
    CustomerFactory(login="taken")
    response = admin_client.post(
        "/customers/add/", {"login": "taken", "contract_number": "N-2", "is_active": "on"}
    )
    assert response.status_code == 200
    assert "A customer with login “taken” already exists." in response.content.decode()


def test_edit_form_changes_only_what_was_edited(admin_client):
    customer = CustomerFactory(full_name="Before", description="kept")
    Customer.objects.filter(pk=customer.pk).update(email="concurrent@example.net")
    data = {
        "login": customer.login,
        "contract_number": customer.contract_number,
        "full_name": "After",
        "locality": customer.locality,
        "street": customer.street,
        "house": customer.house,
        "description": "kept",
        "is_active": "on",
        # a stale form still shows the old (empty) e-mail:
        "email": "",
    }
    admin_client.post(f"/customers/{customer.pk}/edit/", data)
    customer.refresh_from_db()
    assert customer.full_name == "After"
    # the e-mail was "changed" by the stale form, so it is written; the
    # description was not, so it is not touched.
    assert customer.description == "kept"


def test_customer_page_shows_data_history_link_and_extra_values(admin_client):
    field = ExtraFieldFactory(name="Floor", kind=ExtraField.Kind.NUMBER)
    customer = CustomerFactory(login="pagey", full_name="Page Person")
    services.set_extra_values(customer=customer, values={field.pk: "7"})
    html = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Page Person" in html
    assert f"/history/customers/customer/{customer.pk}/" in html
    assert "Floor" in html and ">7<" in html


def test_extra_values_form_validates_by_type(admin_client):
    field = ExtraFieldFactory(name="Signed", kind=ExtraField.Kind.DATE)
    customer = CustomerFactory()
    bad = admin_client.post(f"/customers/{customer.pk}/extra/", {f"extra_{field.pk}": "soon"})
    assert "must be a date" in bad.content.decode()
    good = admin_client.post(
        f"/customers/{customer.pk}/extra/", {f"extra_{field.pk}": "01.02.2026"}
    )
    assert good.status_code == 302
    assert ExtraFieldValue.objects.get(customer=customer).value == "2026-02-01"


def test_other_apps_can_add_a_section_to_the_customer_page(admin_client, tmp_path, settings):
    (tmp_path / "probe_section.html").write_text("<section>Balance: {{ probe_balance }}</section>")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]
    register_customer_section(
        "probe_section.html", context=lambda customer, user: {"probe_balance": "12.50"}
    )
    try:
        html = admin_client.get(f"/customers/{CustomerFactory().pk}/").content.decode()
    finally:
        unregister_customer_section("probe_section.html")
    assert "Balance: 12.50" in html


def test_pppoe_secret_is_hidden_until_revealed_by_a_post(admin_client):
    customer = CustomerFactory()
    services.set_customer_passwords(customer=customer, pppoe_password="Hidden-Value")
    page = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Hidden-Value" not in page
    assert admin_client.get(f"/customers/{customer.pk}/reveal-secret/").status_code == 405
    revealed = admin_client.post(f"/customers/{customer.pk}/reveal-secret/", HTTP_HX_REQUEST="true")
    assert "Hidden-Value" in revealed.content.decode()
    assert revealed["Cache-Control"] == "no-store"


def test_block_needs_a_reason_and_unblock_does_not(admin_client):
    customer = CustomerFactory()
    refused = admin_client.post(f"/customers/{customer.pk}/deactivate/", {"reason": "  "})
    customer.refresh_from_db()
    assert customer.is_active, "a block without a reason changes nothing"
    assert refused.status_code == 302
    admin_client.post(f"/customers/{customer.pk}/deactivate/", {"reason": "non-payment"})
    customer.refresh_from_db()
    assert not customer.is_active
    page = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Unblock" in page
    admin_client.post(f"/customers/{customer.pk}/activate/")
    customer.refresh_from_db()
    assert customer.is_active


def test_group_and_extra_field_pages(admin_client):
    response = admin_client.post("/customers/groups/add/", {"name": "Flats", "description": ""})
    assert response.status_code == 302
    assert "Flats" in admin_client.get("/customers/groups/").content.decode()
    response = admin_client.post(
        "/customers/extra-fields/add/",
        {"name": "Router", "kind": "choice", "choices": "own\nrented", "position": "0"},
    )
    assert response.status_code == 302
    assert ExtraField.objects.get(name="Router").choices == ["own", "rented"]
    assert "Router" in admin_client.get("/customers/extra-fields/").content.decode()
    bad = admin_client.post(
        "/customers/extra-fields/add/", {"name": "Empty", "kind": "choice", "position": "0"}
    )
    assert "at least one choice" in bad.content.decode()


def test_the_edit_form_sets_a_customers_own_session_limit(admin_client):
    customer = CustomerFactory()
    data = {
        "login": customer.login,
        "contract_number": customer.contract_number,
        "is_active": "on",
        "simultaneous_use": "0",
    }
    assert admin_client.post(f"/customers/{customer.pk}/edit/", data).status_code == 302
    customer.refresh_from_db()
    assert customer.simultaneous_use == 0
    page = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'data-testid="simultaneous-use">no limit<' in page
    data["simultaneous_use"] = "-2"
    refused = admin_client.post(f"/customers/{customer.pk}/edit/", data)
    assert refused.status_code == 200
    customer.refresh_from_db()
    assert customer.simultaneous_use == 0
