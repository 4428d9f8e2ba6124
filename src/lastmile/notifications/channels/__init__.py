"""Channel plugins, by name.  A new channel is one module with a class that
has ``name``, ``is_configured(conf)`` and ``send(message, conf)``."""

from __future__ import annotations

from lastmile.notifications.channels.base import ChannelPlugin, DeliveryError, Message
from lastmile.notifications.channels.sms import SmsChannel
from lastmile.notifications.channels.smtp import EmailChannel
from lastmile.notifications.channels.telegram import TelegramChannel
from lastmile.notifications.channels.webhook import WebhookChannel

CHANNELS: dict[str, ChannelPlugin] = {
    plugin.name: plugin
    for plugin in (EmailChannel(), TelegramChannel(), SmsChannel(), WebhookChannel())
}

__all__ = ["CHANNELS", "ChannelPlugin", "DeliveryError", "Message"]
