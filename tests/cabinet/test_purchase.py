"""Buying, pre-ordering and auto-renew from the cabinet, with the customer as
the actor in the ledger and in history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from pghistory.models import Context

from lastmile.finance.models import Account, LedgerEntry
from lastmile.subscriptions.models import Subscription
from tests.cabinet.conftest import bearer
from tests.factories import TariffFactory

pytestmark = pytest.mark.django_db


def test_preview_then_confirm_buys_the_tariff(cabinet, subscriber):
    tariff = TariffFactory(name="Home 100", price="650.00")
    page = cabinet.get(f"/cabinet/tariffs/{tariff.pk}/buy/").content.decode()
    assert "650.00" in page and "350.00" in page  # charge, balance after
    assert not Subscription.objects.exists()
    response = cabinet.post(f"/cabinet/tariffs/{tariff.pk}/buy/", {"auto_renew": "1"}, follow=True)
    assert 'data-testid="current-tariff"><strong>Home 100' in response.content.decode()
    assert Account.objects.get(pk=subscriber.pk).balance == Decimal("350.00")


def test_purchase_is_recorded_with_the_customer_as_actor(cabinet, subscriber, admin_user):
    cabinet.force_login(admin_user)  # a staff login in the same browser must not be the actor
    tariff = TariffFactory(price="100.00")
    cabinet.post(f"/cabinet/tariffs/{tariff.pk}/buy/", {"auto_renew": "1"})
    entry = LedgerEntry.objects.get(kind="charge", account_id=subscriber.pk)
    assert entry.actor_label == "customer:alice"
    assert entry.actor is None
    subscription = Subscription.objects.get(customer=subscriber)
    event = subscription.events.get(pgh_label="insert")  # type: ignore[attr-defined]
    context = Context.objects.get(pk=event.pgh_context_id)
    assert context.metadata["actor"] == "customer:alice"
    assert context.metadata["customer"] == subscriber.pk
    assert context.metadata.get("user") is None


def test_change_of_tariff_previews_the_refund(cabinet, subscriber):
    first = TariffFactory(name="Small", price="300.00")
    second = TariffFactory(name="Big", price="600.00")
    cabinet.post(f"/cabinet/tariffs/{first.pk}/buy/", {"auto_renew": "1"})
    page = cabinet.get(f"/cabinet/tariffs/{second.pk}/buy/").content.decode()
    assert "Refund for the unused part" in page


def test_not_enough_money_is_a_message(cabinet):
    tariff = TariffFactory(price="5000.00")
    page = cabinet.get(f"/cabinet/tariffs/{tariff.pk}/buy/").content.decode()
    assert "Not enough money" in page
    response = cabinet.post(f"/cabinet/tariffs/{tariff.pk}/buy/")
    assert response.status_code == 200
    assert "Not enough money" in response.content.decode()


def test_preorder_auto_renew_and_cancel_on_pages(cabinet, subscriber):
    now = TariffFactory(name="Now", price="100.00")
    later = TariffFactory(name="Later", price="200.00")
    cabinet.post(f"/cabinet/tariffs/{now.pk}/buy/", {"auto_renew": "1"})
    cabinet.post(f"/cabinet/tariffs/{later.pk}/preorder/", {"auto_renew": "1"})
    assert Subscription.objects.get(customer=subscriber, state="preordered").tariff == later
    cabinet.post("/cabinet/auto-renew/", {"auto_renew": "0"})
    assert Subscription.objects.get(customer=subscriber, state="active").auto_renew is False
    cabinet.post("/cabinet/preorder/cancel/")
    assert not Subscription.objects.filter(customer=subscriber, state="preordered").exists()


def test_api_preview_purchase_preorder(subscriber):
    client = Client(headers=bearer(subscriber))
    tariff = TariffFactory(price="400.00")
    other = TariffFactory(price="150.00")
    r = client.post("/api/v1/me/preview", {"tariff_id": tariff.pk}, content_type="application/json")
    assert r.status_code == 200
    assert r.json()["charge"] == "400.00"
    assert r.json()["balance_after"] == "600.00"
    r = client.post(
        "/api/v1/me/purchase", {"tariff_id": tariff.pk}, content_type="application/json"
    )
    assert r.status_code == 201
    assert r.json()["state"] == "active"
    r = client.post(
        "/api/v1/me/purchase", {"tariff_id": tariff.pk}, content_type="application/json"
    )
    assert r.status_code == 409
    r = client.post("/api/v1/me/preorder", {"tariff_id": other.pk}, content_type="application/json")
    assert r.status_code == 201
    r = client.get("/api/v1/me/subscription").json()
    assert r["current"]["price"] == "400.00"
    assert r["preorder"]["tariff_id"] == other.pk
    r = client.post("/api/v1/me/auto-renew", {"auto_renew": False}, content_type="application/json")
    assert r.json()["auto_renew"] is False
    ledger = client.get("/api/v1/me/ledger").json()
    assert ledger["count"] == 2
    assert ledger["items"][0]["amount"] == "-400.00"
    assert LedgerEntry.objects.get(kind="charge").actor_label == "customer:alice"


def test_api_insufficient_funds_is_402(subscriber):
    client = Client(headers=bearer(subscriber))
    tariff = TariffFactory(price="5000.00")
    r = client.post(
        "/api/v1/me/purchase", {"tariff_id": tariff.pk}, content_type="application/json"
    )
    assert r.status_code == 402
    assert "Not enough money" in r.json()["detail"]


def test_settings_notifications_and_telegram_code(cabinet, subscriber):
    from lastmile.notifications.models import SubscriberPreference, TelegramLinkCode

    r = cabinet.post("/cabinet/settings/notifications/", {"channels": ["email"], "language": "ru"})
    assert r.status_code == 302
    pref = SubscriberPreference.objects.get(customer=subscriber)
    assert pref.channels == ["email"] and pref.language == "ru"
    r = cabinet.post("/cabinet/settings/telegram/")
    code = TelegramLinkCode.objects.get(customer=subscriber)
    assert code.code in r.content.decode()


def test_pages_paginate_server_side(cabinet, subscriber):
    from lastmile.finance.services import record_payment

    for n in range(45):
        record_payment(customer_id=subscriber.pk, amount=Decimal("1.00"), external_id=f"p{n}")
    first = cabinet.get("/cabinet/ledger/").content.decode()
    assert "Page 1 of 3" in first
    last = cabinet.get("/cabinet/ledger/?page=3").content.decode()
    assert "Page 3 of 3" in last
    assert cabinet.get("/cabinet/ledger/?page=zzz").status_code == 200


def test_pages_render_in_russian(cabinet):
    for url in ["/cabinet/", "/cabinet/tariffs/", "/cabinet/settings/", "/cabinet/ledger/"]:
        response = cabinet.get(url, headers={"Accept-Language": "ru"})
        assert response.status_code == 200
        assert '<html lang="ru">' in response.content.decode()


def test_promised_payment_from_the_page_is_recorded_with_the_customer(cabinet, subscriber):
    from lastmile.finance.models import Account as Acc
    from lastmile.subscriptions.services import buy_tariff

    buy_tariff(customer=subscriber, tariff=TariffFactory(price="600.00"))  # balance 400.00
    response = cabinet.post("/cabinet/promised-payment/", follow=True)
    assert "Promised payment of 300.00 granted." in response.content.decode()
    event = Acc.objects.get(pk=subscriber.pk).credit_limit_credit_until_events.get()  # type: ignore[attr-defined]
    assert Context.objects.get(pk=event.pgh_context_id).metadata["actor"] == "customer:alice"
    again = cabinet.post("/cabinet/promised-payment/", follow=True).content.decode()
    assert "already in force" in again
