"""Domain errors of subscriptions; ``str(error)`` is a message fit for the user."""

from __future__ import annotations


class SubscriptionError(Exception):
    pass


class TariffNotAllowed(SubscriptionError):
    pass


class AlreadySubscribed(SubscriptionError):
    pass


class NoActiveSubscription(SubscriptionError):
    pass


class IllegalTransition(SubscriptionError):
    pass


class PreorderExists(SubscriptionError):
    pass
