"""Settings of the subscriber cabinet: promised payment, tokens, one-time codes and
support request limits."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field


class CabinetSettings(BaseModel):
    """Promised payment, cabinet tokens, one-time codes, support request limits."""

    promised_payment_enabled: bool = Field(
        True, description="Subscribers may take a promised payment in the cabinet."
    )
    promised_payment_amount: Decimal = Field(
        Decimal("300.00"), description="Credit a promised payment gives (money, two decimals)."
    )
    promised_payment_days: int = Field(3, ge=1, description="How long a promised payment lasts.")
    promised_payment_interval_days: int = Field(
        30, ge=0, description="At most one promised payment within this many days."
    )
    cabinet_token_days: int = Field(
        90, ge=1, description="Lifetime of cabinet API tokens (mobile app) in days."
    )
    cabinet_code_ttl_s: int = Field(
        900, ge=60, description="Lifetime of a one-time code (password reset, contact check)."
    )
    cabinet_code_max_attempts: int = Field(
        5, ge=1, description="Wrong entries of a one-time code before it stops working."
    )
    cabinet_requests_per_hour: int = Field(
        5, ge=1, description="Support requests one subscriber may open in the cabinet per hour."
    )
    cabinet_replies_per_hour: int = Field(
        20, ge=1, description="Replies one subscriber may write to support requests per hour."
    )
    cabinet_request_kind: str = Field(
        "other", description="Ticket kind (code) of a support request with no category chosen."
    )
