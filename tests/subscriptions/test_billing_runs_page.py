"""The billing runs page: "Run billing now" ends on it, with the run listed."""

from __future__ import annotations

import pytest
from django.test import Client

from lastmile.subscriptions.models import BillingRun
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def test_run_billing_now_ends_on_the_runs_page_listing_the_run(admin_client):
    response = admin_client.post("/billing/billing-runs/run/", follow=True)
    assert response.redirect_chain == [("/billing/billing-runs/", 302)]
    assert response.status_code == 200
    run = BillingRun.objects.get()
    table = response.context["table"]
    assert [row.record for row in table.paginated_rows] == [run]
    assert "Billing run done" in response.content.decode()


def test_staff_with_view_permission_sees_the_runs_page():
    accountant = UserFactory(username="accountant")
    grant(accountant, BillingRun, ["view"])
    client = Client()
    client.force_login(accountant)
    assert client.get("/billing/billing-runs/").status_code == 200


def test_staff_without_permission_get_403_not_500():
    client = Client()
    client.force_login(UserFactory(username="cashier"))
    assert client.get("/billing/billing-runs/").status_code == 403
