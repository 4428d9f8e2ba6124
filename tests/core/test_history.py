"""History records who changed what, with the request id, before → after."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lastmile.accounts.models import Site
from lastmile.accounts.services import create_api_token
from lastmile.core.history import history_for
from tests.factories import SiteFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sites_enabled")]


def test_ui_change_records_actor_request_id_and_diff(admin_client, admin_user):
    site = SiteFactory(name="Old name", slug="hist")
    response = admin_client.post(
        f"/accounts/sites/{site.pk}/",
        {"name": "New name", "slug": "hist", "address": "", "description": ""},
        HTTP_X_REQUEST_ID="history-test-0001",
    )
    assert response.status_code == 302
    update = [e for e in history_for(site) if e.label == "update"][0]
    assert update.username == admin_user.username
    assert update.request_id == "history-test-0001"
    assert [(c.name, c.before, c.after) for c in update.changes] == [
        ("name", "Old name", "New name")
    ]


def test_api_token_change_records_token_owner():
    site = SiteFactory(name="Before", slug="api-hist")
    user = UserFactory(username="integrator", is_superuser=True)
    _t, secret = create_api_token(user=user, name="t")
    response = Client().put(
        f"/api/v1/accounts/sites/{site.pk}",
        json.dumps({"name": "After", "slug": "api-hist"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200
    update = [e for e in history_for(site) if e.label == "update"][0]
    assert update.username == "integrator"


def test_history_page_shows_before_and_after(admin_client):
    site = SiteFactory(name="Alpha", slug="page-hist")
    admin_client.post(
        f"/accounts/sites/{site.pk}/",
        {"name": "Beta", "slug": "page-hist", "address": "", "description": ""},
    )
    page = admin_client.get(f"/history/accounts/site/{site.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Alpha" in html and "Beta" in html and "root" in html


def test_history_page_respects_permissions():
    site = SiteFactory(slug="secret-site")
    client = Client()
    client.force_login(UserFactory(username="no-perms"))
    assert client.get(f"/history/accounts/site/{site.pk}/").status_code == 404


def test_bulk_update_is_captured_by_triggers():
    site = SiteFactory(name="Bulk", slug="bulk")
    Site.objects.filter(pk=site.pk).update(name="Bulk 2")
    assert any(c.after == "Bulk 2" for e in history_for(site) for c in e.changes)


def test_updated_at_is_maintained_by_the_database():
    site = SiteFactory(slug="stamp")
    before = site.updated_at
    Site.objects.filter(pk=site.pk).update(description="x")
    site.refresh_from_db()
    assert site.updated_at > before


def test_history_speaks_in_words_not_database_values(admin_client):
    """Field names, choices, booleans, linked objects and times as the UI shows them."""
    from django.utils import translation

    from tests.factories import CustomerFactory, CustomerGroupFactory

    group = CustomerGroupFactory(name="Business")
    customer = CustomerFactory(login="words1")
    from lastmile.customers.models import Customer

    Customer.objects.filter(pk=customer.pk).update(is_active=False, group=group)
    with translation.override("ru"):
        update = [e for e in history_for(customer) if e.label == "update"][0]
        shown = {c.name: (str(c.label), c.before_text, c.after_text) for c in update.changes}
        assert str(update.event) == "Изменено"
    assert shown["is_active"][1:] == ("да", "нет")
    assert shown["group_id"][2] == "Business"
    page = admin_client.get(f"/history/customers/customer/{customer.pk}/").content.decode()
    assert (
        "True" not in page
        and "False" not in page
        and "group_id" not in page.replace('title="group_id"', "")
    )


def test_secret_columns_are_named_but_never_shown():
    from tests.factories import CustomerFactory

    customer = CustomerFactory(login="words2")
    customer.set_pppoe_secret("s3cret-value")
    customer.save()
    for entry in history_for(customer):
        for change in entry.changes:
            if "secret" in change.name:
                assert change.after_text in ("", "(hidden)")
