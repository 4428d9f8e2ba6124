"""One presentation of money: grouped, in the page's language, with the currency."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from lastmile.core.formatting import format_money

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [
        ("en", Decimal("1500"), f"1,500.00{NBSP}₽"),
        ("ru", Decimal("1500"), f"1{NBSP}500,00{NBSP}₽"),
        ("ru", Decimal("-1234567.5"), f"-1{NBSP}234{NBSP}567,50{NBSP}₽"),
        ("en", "99.9", f"99.90{NBSP}₽"),
        ("en", None, ""),
    ],
)
def test_money_is_grouped_localized_and_has_the_currency(language, value, shown):
    with translation.override(language):
        assert format_money(value) == shown


def test_the_currency_symbol_is_configurable(settings):
    conf = settings.LASTMILE
    previous = conf.currency_symbol
    conf.currency_symbol = "сом"
    try:
        with translation.override("ru"):
            assert format_money(Decimal("10")) == f"10,00{NBSP}сом"
    finally:
        conf.currency_symbol = previous


@pytest.mark.django_db
def test_tables_show_money_and_exports_keep_the_number(admin_client):
    from lastmile.finance.services import record_payment
    from tests.factories import CustomerFactory

    customer = CustomerFactory(login="money1")
    record_payment(customer_id=customer.pk, amount="1234.50", external_id="fmt-1")
    page = admin_client.get("/finance/payments/", HTTP_ACCEPT_LANGUAGE="ru")
    assert f"1{NBSP}234,50{NBSP}₽" in page.content.decode()
    export = admin_client.get("/finance/payments/", {"_export": "csv"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "1234.50" in body and "₽" not in body
