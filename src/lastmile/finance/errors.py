"""Domain errors of the ledger; ``str(error)`` is a message fit for the user."""

from __future__ import annotations

from decimal import Decimal

from lastmile.core.errors import DomainError


class FinanceError(DomainError):
    #: A refusal of the ledger is the caller's 422 unless a subclass says otherwise.
    status = 422


class InvalidAmount(FinanceError):
    status = 422


class AmountTooLarge(InvalidAmount):
    """Above LASTMILE_PAYMENT_MAX_AMOUNT or what a money column holds."""

    def __init__(self, message: str, *, maximum: Decimal) -> None:
        super().__init__(message)
        self.maximum = maximum


class InsufficientFunds(FinanceError):
    status = 402

    def __init__(self, *, needed: Decimal, available: Decimal) -> None:
        super().__init__(
            f"Not enough money: {needed} is needed, {available} is available "
            "(balance plus credit). Top up the balance first."
        )
        self.needed = needed
        self.available = available


class DuplicatePaymentMismatch(FinanceError):
    """The same (gateway, external id) arrived again with different data."""

    status = 409


class DuplicateOperationMismatch(FinanceError):
    """An idempotency key already used for another account or amount."""

    status = 409


class ReasonRequired(FinanceError):
    status = 422


class PaymentNotReversible(FinanceError):
    status = 409


class PromisedPaymentRefused(FinanceError):
    """A promised payment is not allowed now; the message says why."""

    status = 409
