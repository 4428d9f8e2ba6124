"""A subscriber sees and changes only their own data, on every page and every
/me endpoint; cabinet and staff credentials never cross over."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from lastmile.accounts.services import create_api_token
from lastmile.cabinet import services
from lastmile.cabinet.models import CabinetToken
from lastmile.customers.models import CustomerGroup
from lastmile.finance.services import charge
from lastmile.network.models import Lease, Nas, Pool, Session
from lastmile.subscriptions.models import Subscription
from lastmile.subscriptions.services import buy_tariff
from tests.cabinet.conftest import bearer
from tests.factories import TariffFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/cabinet/",
    "/cabinet/ledger/",
    "/cabinet/sessions/",
    "/cabinet/tariffs/",
    "/cabinet/settings/",
    "/cabinet/pay/",
]
ME = [
    "/api/v1/me",
    "/api/v1/me/account",
    "/api/v1/me/ledger",
    "/api/v1/me/subscriptions",
    "/api/v1/me/subscription",
    "/api/v1/me/tariffs",
    "/api/v1/me/sessions",
    "/api/v1/me/leases",
    "/api/v1/me/tokens",
    "/api/v1/me/support",
    "/api/v1/me/payments",
    "/api/v1/me/statement",
    "/api/v1/me/statement.csv",
    "/api/v1/me/contact",
]


@pytest.fixture
def outsider_data(outsider):
    """Rows of another customer that must never show: a private tariff, a
    subscription, a ledger entry with a telling reason, a session, a lease."""
    group = CustomerGroup.objects.create(name="VIP")
    outsider.group = group
    outsider.save(update_fields=["group"])
    private = TariffFactory(name="Secret VIP", price="100.00", private=True)
    private.groups.add(group)
    subscription = buy_tariff(customer=outsider, tariff=private)
    charge(
        customer_id=outsider.pk, amount=Decimal("1.00"), idempotency_key="x", reason="mallory-only"
    )
    nas = Nas.objects.create(name="nas1", address="10.0.0.1")
    pool = Pool.objects.create(name="p", kind="dynamic", network="100.64.0.0/24")
    Lease.objects.create(address="100.64.0.13", pool=pool, customer=outsider, kind="dynamic")
    Session.objects.create(
        nas=nas,
        acct_session_id="s-mallory",
        customer=outsider,
        address="100.64.0.13",
        started_at=timezone.now() - timedelta(hours=1),
        updated_at=timezone.now(),
        octets_out=123456789,
    )
    _token, _raw = services.create_token(customer=outsider, name="mallory-phone")
    return {"tariff": private, "subscription": subscription, "token": _token}


def _assert_clean(text: str) -> None:
    for secret in ("mallory", "Mallory", "Secret VIP", "100.64.0.13", "777.00", "mallory-only"):
        assert secret not in text


def test_pages_show_only_my_data(cabinet, outsider_data):
    for url in PAGES:
        response = cabinet.get(url)
        assert response.status_code == 200, url
        _assert_clean(response.content.decode())


def test_me_endpoints_show_only_my_data(subscriber, outsider_data):
    client = Client(headers=bearer(subscriber))
    for url in ME:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_clean(response.content.decode())


def test_pages_refuse_another_groups_tariff(cabinet, outsider_data):
    tariff = outsider_data["tariff"]
    assert cabinet.get(f"/cabinet/tariffs/{tariff.pk}/buy/").status_code == 404
    assert cabinet.post(f"/cabinet/tariffs/{tariff.pk}/buy/").status_code == 404
    assert cabinet.get(f"/cabinet/tariffs/{tariff.pk}/preorder/").status_code == 404
    assert cabinet.post(f"/cabinet/tariffs/{tariff.pk}/preorder/").status_code == 404
    assert (
        not Subscription.objects.filter(tariff=tariff).exclude(customer__login="mallory").exists()
    )


def test_pages_do_not_touch_another_customers_subscription(cabinet, outsider_data):
    """No page takes a subscription id: auto-renew and cancel act on my own."""
    assert cabinet.post("/cabinet/auto-renew/", {"auto_renew": "0"}).status_code == 404
    assert cabinet.post("/cabinet/preorder/cancel/").status_code == 404
    outsider_data["subscription"].refresh_from_db()
    assert outsider_data["subscription"].auto_renew is True


@pytest.mark.parametrize(
    "path", ["/api/v1/me/preview", "/api/v1/me/purchase", "/api/v1/me/preorder"]
)
def test_me_refuses_another_groups_tariff(subscriber, outsider_data, path):
    client = Client(headers=bearer(subscriber))
    response = client.post(
        path, {"tariff_id": outsider_data["tariff"].pk}, content_type="application/json"
    )
    assert response.status_code == 404
    _assert_clean(response.content.decode())


def test_me_cannot_revoke_another_customers_token(subscriber, outsider_data):
    client = Client(headers=bearer(subscriber))
    token = outsider_data["token"]
    assert client.delete(f"/api/v1/me/tokens/{token.pk}").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_me_actions_without_a_subscription_do_not_reach_others(subscriber, outsider_data):
    client = Client(headers=bearer(subscriber))
    r = client.post("/api/v1/me/auto-renew", {"auto_renew": False}, content_type="application/json")
    assert r.status_code == 404
    assert client.delete("/api/v1/me/preorder").status_code == 404
    outsider_data["subscription"].refresh_from_db()
    assert outsider_data["subscription"].auto_renew is True


@pytest.mark.parametrize("url", ME)
def test_me_needs_cabinet_credentials(db, url):
    response = Client().get(url)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_me_refuses_staff_token_and_staff_session(admin_user, admin_client):
    _token, raw = create_api_token(user=admin_user, name="t")
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").status_code == 401
    assert admin_client.get("/api/v1/me").status_code == 401


def test_staff_api_refuses_cabinet_token_and_session(subscriber, cabinet):
    client = Client(headers=bearer(subscriber))
    assert client.get("/api/v1/customers").status_code == 401
    assert cabinet.get("/api/v1/customers").status_code == 401


def test_me_accepts_the_cabinet_session(cabinet, subscriber):
    response = cabinet.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["login"] == "alice"


def test_revoked_and_expired_tokens_are_refused(subscriber):
    headers = bearer(subscriber)
    client = Client(headers=headers)
    token = CabinetToken.objects.get(customer=subscriber)
    assert client.delete(f"/api/v1/me/tokens/{token.pk}").status_code == 200
    assert client.get("/api/v1/me").status_code == 401
    headers = bearer(subscriber)
    CabinetToken.objects.filter(revoked_at__isnull=True).update(expires_at=timezone.now())
    assert Client(headers=headers).get("/api/v1/me").status_code == 401


def test_token_login_gives_a_working_token(subscriber):
    from tests.cabinet.conftest import PASSWORD

    r = Client().post(
        "/api/v1/me/tokens",
        {"login": subscriber.contract_number, "password": PASSWORD, "name": "phone"},
        content_type="application/json",
    )
    assert r.status_code == 201
    body = r.json()
    assert body["token"].startswith("lmc_")
    assert CabinetToken.objects.get(pk=body["id"]).digest != body["token"]
    me = Client(headers={"Authorization": f"Bearer {body['token']}"}).get("/api/v1/me")
    assert me.json()["login"] == "alice"
