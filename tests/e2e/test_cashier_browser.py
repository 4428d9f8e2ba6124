"""A cashier's day in Chromium: find the customer, take cash, open the receipt,
reverse the mistaken payment with a reason, read the shift report."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from lastmile.customers.models import Customer
from lastmile.finance.models import Account, EntryKind, LedgerEntry, Payment
from tests.factories import PASSWORD, CustomerFactory, UserFactory, grant

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_cash_payment_receipt_reversal_and_shift_report(live_server, page):
    cashier = UserFactory(username="kassa")
    grant(cashier, Customer, ["view"])
    grant(cashier, Payment, ["add", "view", "reverse"])
    customer = CustomerFactory(
        login="e2e-payer", contract_number="D-4242", full_name="Olga Ivanova"
    )

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "kassa")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/finance/cashier/")
    page.fill("#id_q", "D-4242")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Accept payment").click()
    expect(page.get_by_test_id("payment-context")).to_contain_text("Olga Ivanova")
    page.fill("#id_amount", "1 500,50")
    page.select_option("#id_method", "cash")
    page.get_by_role("button", name="Accept payment").click()
    expect(page.get_by_test_id("payment-amount")).to_contain_text(re.compile(r"1,500\.50\s₽"))

    receipt_url = page.get_by_test_id("receipt-link").get_attribute("href")
    receipt = page.request.get(f"{live_server.url}{receipt_url}")
    assert receipt.headers["content-type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=receipt.body(), capture_output=True, check=True
    ).stdout.decode()
    assert "1,500.50" in text and "Olga Ivanova" in text

    page.get_by_role("link", name="Reverse payment").click()
    expect(page.locator("form.card")).to_contain_text("Take back 1,500.50")
    page.fill("#id_reason", "paid to the wrong contract")
    page.get_by_role("button", name="Reverse payment").click()
    expect(page.get_by_test_id("reversed-banner")).to_contain_text("paid to the wrong contract")
    expect(page.get_by_test_id("payment-state")).to_have_text("reversed")
    assert Account.objects.get(pk=customer.pk).balance == Decimal("0.00")
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 1

    page.goto(f"{live_server.url}/finance/shift-report/")
    table = page.get_by_test_id("shift-table")
    expect(table).to_contain_text("kassa")
    expect(table).to_contain_text(re.compile(r"1,500\.50\s₽"))
    expect(page.get_by_test_id("shift-net")).to_have_text(re.compile(r"^0\.00\s₽$"))
