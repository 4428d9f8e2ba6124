"""A subscriber in the cabinet: a wrong password, then log in, change the
password, buy a tariff, let it lapse, pay through the local test provider and
see the balance and the renewed subscription."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from lastmile.finance.gateways.models import GatewayConfig
from lastmile.finance.models import Account
from lastmile.subscriptions.billing import run_billing
from lastmile.subscriptions.models import Subscription
from tests.factories import CustomerFactory, TariffFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OLD_PASSWORD = "Violet-Harbor-58"
NEW_PASSWORD = "Amber-Lantern-91"


def _card_gateway_in_test_mode() -> None:
    config = GatewayConfig(
        name="card",
        is_enabled=True,
        mode=GatewayConfig.Mode.TEST,
        allowed_networks=["127.0.0.0/8", "::1/128"],
    )
    config.set_credentials({"secret": "e2e-card-secret"})
    config.save()


def _log_in(page, base: str, login: str, password: str) -> None:
    page.goto(f"{base}/cabinet/login/")
    page.fill("#id_login", login)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Log in").click()


def test_wrong_password_shows_a_message(live_server, page):
    customer = CustomerFactory(login="e2e-wrong")
    customer.set_cabinet_password(OLD_PASSWORD)
    customer.save(update_fields=["cabinet_password"])
    _log_in(page, live_server.url, "e2e-wrong", "not-the-password")
    expect(page.get_by_test_id("form-error")).to_have_text("Wrong login or password.")
    assert page.url.startswith(f"{live_server.url}/cabinet/login/")


def test_subscriber_buys_pays_online_and_sees_renewal(live_server, page):
    base = live_server.url
    _card_gateway_in_test_mode()
    customer = CustomerFactory(login="e2e-sub", balance="300.00")
    customer.set_cabinet_password(OLD_PASSWORD)
    customer.save(update_fields=["cabinet_password"])
    tariff = TariffFactory(name="Home 100", price="300.00")

    _log_in(page, base, "e2e-sub", OLD_PASSWORD)
    expect(page.get_by_test_id("balance")).to_contain_text(re.compile(r"300\.00\s₽"))

    # Change the password: a weak one is refused with the reason, then a good one.
    page.get_by_role("link", name="Settings").click()
    page.fill("#id_current_password", OLD_PASSWORD)
    page.fill("#id_new_password", "12345678")
    page.fill("#id_new_password_again", "12345678")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("This password is entirely numeric.")).to_be_visible()
    page.fill("#id_current_password", OLD_PASSWORD)
    page.fill("#id_new_password", NEW_PASSWORD)
    page.fill("#id_new_password_again", NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    _log_in(page, base, "e2e-sub", NEW_PASSWORD)
    expect(page.get_by_test_id("balance")).to_contain_text(re.compile(r"300\.00\s₽"))

    # Buy the tariff after the preview.
    page.get_by_role("link", name="Tariffs", exact=True).click()
    page.get_by_role("link", name="Buy").click()
    expect(page.get_by_test_id("preview")).to_contain_text(re.compile(r"300\.00\s₽"))
    page.get_by_role("button", name="Confirm purchase").click()
    expect(page.get_by_test_id("current-tariff")).to_contain_text("Home 100")
    expect(page.get_by_test_id("balance")).to_have_text(re.compile(r"^0\.00\s₽$"))

    # The period ends with no money: the billing run lets it lapse.
    first = Subscription.objects.get(customer=customer, state="active")
    assert first.period_end is not None
    run_billing(at=first.period_end + timedelta(minutes=1))
    page.reload()
    expect(page.get_by_test_id("current-tariff")).to_have_text("No active tariff.")

    # Pay online through the local test provider.
    page.get_by_role("link", name="Pay online").click()
    page.fill("#id_amount", "500")
    page.get_by_role("button", name="Go to payment").click()
    expect(page.get_by_test_id("amount")).to_have_text("500.00")  # the bank's page
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url(f"{base}/cabinet/")
    expect(page.get_by_test_id("balance")).to_have_text(re.compile(r"^200\.00\s₽$"))
    expect(page.get_by_test_id("current-tariff")).to_contain_text("Home 100")

    renewed = Subscription.objects.get(customer=customer, state="active")
    assert renewed.pk != first.pk and renewed.tariff == tariff
    assert Account.objects.get(pk=customer.pk).balance == Decimal("200.00")
