"""Buying and terminating from the staff UI and the API, with previews."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from lastmile.accounts.services import create_api_token
from lastmile.finance.models import Account
from lastmile.subscriptions.models import BillingRun, Subscription
from tests.factories import CustomerFactory, TariffFactory

pytestmark = pytest.mark.django_db


def _bearer(user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    _t, secret = create_api_token(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_buy_shows_preview_before_charging(admin_client):
    customer = CustomerFactory(balance="1000")
    tariff = TariffFactory(price="300")
    preview = admin_client.post(
        f"/billing/customers/{customer.pk}/buy/", {"tariff": tariff.pk, "auto_renew": "on"}
    )
    assert preview.status_code == 200
    assert preview.context["preview"].charge == Decimal("300.00")
    assert not Subscription.objects.exists()
    confirmed = admin_client.post(
        f"/billing/customers/{customer.pk}/buy/",
        {"tariff": tariff.pk, "auto_renew": "on", "confirm": "1"},
    )
    assert confirmed.status_code == 302
    assert Subscription.objects.get().state == "active"
    assert Account.objects.get(pk=customer.pk).balance == Decimal("700.00")


def test_buy_without_money_says_so_and_changes_nothing(admin_client):
    customer = CustomerFactory(balance="10")
    tariff = TariffFactory(price="300")
    page = admin_client.post(
        f"/billing/customers/{customer.pk}/buy/", {"tariff": tariff.pk, "confirm": "1"}
    )
    assert page.status_code == 200
    assert "Not enough money" in page.content.decode()
    assert not Subscription.objects.exists()


def test_terminate_previews_refund(admin_client):
    customer = CustomerFactory(balance="300")
    tariff = TariffFactory(price="300")
    admin_client.post(
        f"/billing/customers/{customer.pk}/buy/", {"tariff": tariff.pk, "confirm": "1"}
    )
    sub = Subscription.objects.get()
    page = admin_client.get(f"/billing/customers/{customer.pk}/subscriptions/{sub.pk}/terminate/")
    assert page.status_code == 200 and page.context["refund"] > Decimal("299")
    admin_client.post(f"/billing/customers/{customer.pk}/subscriptions/{sub.pk}/terminate/")
    sub.refresh_from_db()
    assert sub.state == "terminated"


def test_tariff_pages(admin_client):
    response = admin_client.post(
        "/billing/tariffs/add/",
        {
            "name": "Home 100",
            "price": "550,00",
            "period_kind": "month",
            "rate_down_kbps": 100000,
            "rate_up_kbps": 100000,
            "is_public": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    listing = admin_client.get("/billing/tariffs/?name=home")
    assert "Home 100" in listing.content.decode()
    bad = admin_client.post(
        "/billing/tariffs/add/",
        {
            "name": "Days",
            "price": "1",
            "period_kind": "days",
            "rate_down_kbps": 1,
            "rate_up_kbps": 1,
        },
    )
    assert bad.status_code == 200 and "length of the period" in bad.content.decode()


def test_api_purchase_preview_and_errors(admin_user):
    customer = CustomerFactory(balance="100")
    cheap, dear = TariffFactory(price="100"), TariffFactory(price="5000")
    auth = _bearer(admin_user)
    url = f"/api/v1/billing/customers/{customer.pk}"
    preview = Client().post(
        f"{url}/preview",
        json.dumps({"tariff_id": dear.pk}),
        content_type="application/json",
        **auth,
    )
    assert preview.json()["can_afford"] is False
    poor = Client().post(
        f"{url}/purchase",
        json.dumps({"tariff_id": dear.pk}),
        content_type="application/json",
        **auth,
    )
    assert poor.status_code == 402 and "Not enough money" in poor.json()["detail"]
    assert poor.json()["code"] == "insufficient_funds"  # stable, whatever the wording
    ok = Client().post(
        f"{url}/purchase",
        json.dumps({"tariff_id": cheap.pk}),
        content_type="application/json",
        **auth,
    )
    assert ok.status_code == 201 and ok.json()["price"] == "100.00"
    listing = Client().get(f"{url}/subscriptions", **auth).json()
    assert [s["state"] for s in listing] == ["active"]
    done = Client().post(f"/api/v1/billing/subscriptions/{ok.json()['id']}/terminate", **auth)
    assert done.status_code == 200 and Decimal(done.json()["refund"]) > 0


def test_api_billing_run(admin_user):
    response = Client().post("/api/v1/billing/billing-runs", **_bearer(admin_user))
    assert response.status_code == 201
    assert BillingRun.objects.count() == 1


def test_billing_run_command_accepts_at():
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("billing_run", "--at", "2026-12-01T00:00:00+03:00", stdout=out)
    assert "renewed 0" in out.getvalue()
    assert BillingRun.objects.get().at.isoformat() == "2026-11-30T21:00:00+00:00"
