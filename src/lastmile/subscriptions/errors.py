"""Domain errors of subscriptions; ``str(error)`` is a message fit for the user."""

from __future__ import annotations

from lastmile.core.errors import DomainError


class SubscriptionError(DomainError):
    status = 409


class TariffNotAllowed(SubscriptionError):
    status = 403


class AlreadySubscribed(SubscriptionError):
    pass


class NoActiveSubscription(SubscriptionError):
    pass


class IllegalTransition(SubscriptionError):
    pass


class PreorderExists(SubscriptionError):
    pass


class InvalidTariff(SubscriptionError):
    """A tariff value does not fit (negative price, a period of days without days…)."""

    status = 422


class TariffNameTaken(SubscriptionError):
    status = 409
