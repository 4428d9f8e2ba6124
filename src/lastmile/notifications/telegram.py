"""Linking a Telegram chat to a subscriber (or staff member) with a one-time code.

The cabinet shows the code (or a t.me deep link); the subscriber sends
``/start CODE`` to the bot; the poll job (or a webhook) hands the update to
``handle_update``, which links the chat and answers in it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lastmile.notifications.channels import CHANNELS, DeliveryError
from lastmile.notifications.channels.telegram import TelegramChannel
from lastmile.notifications.errors import LinkCodeInvalid
from lastmile.notifications.models import ChannelCursor, TelegramLink, TelegramLinkCode

log = structlog.get_logger(__name__)

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud safely
CURSOR = "telegram.updates"


def issue_link_code(*, customer: Any = None, staff_user: Any = None) -> TelegramLinkCode:
    """A fresh one-time code for ``customer`` or ``staff_user`` (older unused ones die)."""
    if (customer is None) == (staff_user is None):
        raise ValueError("Give exactly one of customer or staff_user.")
    owner = {"customer": customer} if customer is not None else {"staff_user": staff_user}
    ttl = settings.LASTMILE.telegram_link_code_ttl_s
    now = timezone.now()
    with transaction.atomic():
        TelegramLinkCode.objects.filter(used_at__isnull=True, **owner).update(expires_at=now)
        code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        return TelegramLinkCode.objects.create(
            code=code, expires_at=now + timedelta(seconds=ttl), **owner
        )


def deep_link(code: TelegramLinkCode) -> str:
    """``https://t.me/<bot>?start=CODE`` when the bot's user name is configured."""
    bot = settings.LASTMILE.telegram_bot_username.lstrip("@")
    return f"https://t.me/{bot}?start={code.code}" if bot else ""


def link_chat(*, code: str, chat_id: int, chat_username: str = "") -> TelegramLink:
    """Use a one-time code: link ``chat_id`` to the code's owner (replacing an old chat)."""
    now = timezone.now()
    with transaction.atomic():
        used = TelegramLinkCode.objects.filter(
            code=code.strip().upper(), used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if used != 1:
            raise LinkCodeInvalid("This code is unknown, already used or expired.")
        link_code = TelegramLinkCode.objects.get(code=code.strip().upper())
        owner = (
            {"customer": link_code.customer}
            if link_code.customer_id
            else {"staff_user": link_code.staff_user}
        )
        link, _created = TelegramLink.objects.update_or_create(
            **owner,
            defaults={"chat_id": chat_id, "chat_username": chat_username[:100], "linked_at": now},
        )
    log.info("telegram.linked", chat_id=chat_id, link_id=link.pk)
    return link


def handle_update(update: dict[str, Any]) -> TelegramLink | None:
    """Process one Bot API update; link the chat on ``/start CODE``, answer the user."""
    message = update.get("message") or {}
    text = (message.get("text") or "").strip()
    chat = message.get("chat") or {}
    if not text.startswith("/start") or "id" not in chat:
        return None
    parts = text.split(maxsplit=1)
    code = parts[1] if len(parts) > 1 else ""
    try:
        link = link_chat(code=code, chat_id=int(chat["id"]), chat_username=chat.get("username", ""))
        reply = "Notifications are now linked to this chat. / Уведомления подключены к этому чату."
    except LinkCodeInvalid:
        link = None
        reply = "The code is unknown or expired. / Код неверен или устарел."
    _reply(chat["id"], reply)
    return link


def _reply(chat_id: int, text: str) -> None:
    try:
        TelegramChannel().send_text(settings.LASTMILE, chat_id=chat_id, text=text)
    except DeliveryError:
        log.warning("telegram.reply_failed", chat_id=chat_id, exc_info=True)


def poll_updates() -> int:
    """One ``getUpdates`` round from the stored offset; returns updates processed."""
    conf = settings.LASTMILE
    plugin = CHANNELS["telegram"]
    if not plugin.is_configured(conf):
        return 0
    cursor, _created = ChannelCursor.objects.get_or_create(name=CURSOR)
    updates = TelegramChannel().get_updates(conf, offset=cursor.value + 1 if cursor.value else 0)
    for update in sorted(updates, key=lambda u: int(u.get("update_id", 0))):
        handle_update(update)
        ChannelCursor.objects.filter(name=CURSOR).update(value=int(update["update_id"]))
    return len(updates)
