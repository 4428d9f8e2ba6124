"""A cashier takes a payment; staff buy a tariff after seeing the preview."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from lastmile.finance.models import Account
from lastmile.subscriptions.models import Subscription
from tests.factories import PASSWORD, CustomerFactory, TariffFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_payment_then_purchase_with_preview(live_server, page):
    UserFactory(username="boss", is_superuser=True)
    customer = CustomerFactory(login="e2e-buyer")
    tariff = TariffFactory(name="Home 100", price="650.00")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/customers/{customer.pk}/")

    page.get_by_role("link", name="Accept payment").click()
    page.fill("#id_amount", "1000")
    page.fill("#id_receipt_number", "R-77")
    page.get_by_role("button", name="Accept payment").click()
    expect(page.get_by_test_id("payment-amount")).to_contain_text(re.compile(r"1,000\.00\s₽"))
    page.get_by_role("link", name=customer.login).click()
    expect(page.get_by_test_id("balance")).to_contain_text(re.compile(r"1,000\.00\s₽"))

    page.get_by_role("link", name="Buy tariff").click()
    page.select_option("#id_tariff", str(tariff.pk))
    page.get_by_role("button", name="Continue").click()
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text(re.compile(r"350\.00\s₽"))
    assert not Subscription.objects.exists()
    page.get_by_role("button", name="Confirm purchase").click()
    expect(page.get_by_test_id("current-tariff")).to_contain_text("Home 100")
    expect(page.get_by_test_id("balance")).to_have_text(re.compile(r"^350\.00\s₽$"))
    assert Account.objects.get(pk=customer.pk).balance == Decimal("350.00")
