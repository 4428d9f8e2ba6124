"""Who a notification goes to, and where: the subscriber's opted-in channels with an
address, a staff member's contacts, and the webhook URLs that take the event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from lastmile.notifications.channels import CHANNELS
from lastmile.notifications.models import Channel, SubscriberPreference, TelegramLink


@dataclass(frozen=True)
class Target:
    """One message to send: the channel, the address on it and the language."""

    channel: str
    recipient: str
    language: str


def recipient_context(customer: Any, staff_user: Any) -> dict[str, Any]:
    """The template variables that name the recipient (login, name, contract; staff name)."""
    out: dict[str, Any] = {}
    if customer is not None:
        out.update(
            login=customer.login,
            full_name=customer.full_name,
            contract_number=customer.contract_number,
            customer_id=customer.pk,
        )
    if staff_user is not None:
        out.update(staff_name=staff_user.get_full_name() or staff_user.get_username())
    return out


def find_targets(*, event: str, customer: Any, staff_user: Any) -> list[Target]:
    """Every configured channel and address the event reaches for this customer or staff member."""
    conf = settings.LASTMILE
    default_language = conf.language_code if conf.language_code in ("en", "ru") else "en"
    wanted: list[Target] = []
    if customer is not None:
        wanted += _customer_targets(event, customer, conf, default_language)
    if staff_user is not None and staff_user.is_active:
        addresses: dict[str, str] = {
            Channel.EMAIL: staff_user.email,
            Channel.SMS: staff_user.phone,
            Channel.TELEGRAM: _telegram_chat(staff_user=staff_user),
        }
        wanted += [Target(ch, addr, default_language) for ch, addr in addresses.items() if addr]
    return [t for t in wanted if CHANNELS[t.channel].is_configured(conf)]


def _customer_targets(event: str, customer: Any, conf: Any, default_language: str) -> list[Target]:
    """The subscriber's opted-in channels that have an address."""
    pref = SubscriberPreference.objects.filter(customer=customer).first()
    if pref is not None and (pref.is_opted_out or event in pref.muted_events):
        return []
    channels = pref.channels if pref is not None else conf.notify_default_channels
    language = (pref.language if pref is not None else "") or default_language
    addresses: dict[str, str] = {
        Channel.EMAIL: customer.email,
        Channel.SMS: customer.phones[0] if customer.phones else "",
        Channel.TELEGRAM: _telegram_chat(customer=customer),
    }
    return [Target(ch, addresses[ch], language) for ch in channels if addresses.get(ch)]


def _telegram_chat(**owner: Any) -> str:
    chat_id = TelegramLink.objects.filter(**owner).values_list("chat_id", flat=True).first()
    return str(chat_id) if chat_id is not None else ""


def webhook_urls(conf: Any, event: str) -> list[str]:
    """The webhook URLs that take this event (none if webhooks are off)."""
    if not CHANNELS[Channel.WEBHOOK].is_configured(conf):
        return []
    if conf.webhook_events and event not in conf.webhook_events:
        return []
    return list(conf.webhook_urls)
