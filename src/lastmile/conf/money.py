"""Settings of money: the largest accepted amount, and the cashier desk's receipts."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field


class MoneySettings(BaseModel):
    """The money input limit, the ISP name on receipts and the currency symbol."""

    # Money input -------------------------------------------------------------------
    payment_max_amount: Decimal = Field(
        Decimal("10000000.00"),
        gt=0,
        le=Decimal("999999999999.99"),
        decimal_places=2,
        description="Largest amount accepted from any input: a payment (desk, API, gateway, "
        "registry line), a correction, a credit limit, a price. Larger amounts are refused "
        "before anything is written. At most 999999999999.99 (what a money column holds).",
    )

    # Cashier desk (finance app) ----------------------------------------------------
    isp_name: str = Field(
        "lastmile ISP",
        min_length=1,
        max_length=200,
        description="The ISP's name printed on payment receipts and shift reports.",
    )
    isp_details: str = Field(
        "",
        max_length=500,
        description="Extra lines under the name on receipts (address, tax number, phone).",
    )
    currency_symbol: str = Field(
        "₽",
        max_length=8,
        description="Shown after every amount of money on staff pages, the cabinet and receipts "
        "(empty: amounts without a symbol).  Amounts are grouped and use the decimal "
        "separator of the page's language.",
    )
