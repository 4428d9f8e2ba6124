"""Notification templates, subscriber preferences and Telegram links."""

from __future__ import annotations

import factory

from lastmile.notifications.models import (
    NotificationTemplate,
    SubscriberPreference,
    TelegramLink,
)
from tests.factories.base import ModelFactory
from tests.factories.customers import CustomerFactory


class NotificationTemplateFactory(ModelFactory[NotificationTemplate]):
    class Meta:
        model = NotificationTemplate

    event = "payment_received"
    language = "en"
    channel = "email"
    subject = "Hello"
    body = "Hello {{ customer.full_name }}"


class SubscriberPreferenceFactory(ModelFactory[SubscriberPreference]):
    class Meta:
        model = SubscriberPreference
        django_get_or_create = ("customer",)

    customer = factory.SubFactory(CustomerFactory, reachable=True)


class TelegramLinkFactory(ModelFactory[TelegramLink]):
    class Meta:
        model = TelegramLink

    customer = factory.SubFactory(CustomerFactory, reachable=True)
    chat_id = factory.Sequence(lambda n: 700_000 + n)
