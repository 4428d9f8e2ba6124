"""The notification outbox, templates, subscriber preferences and Telegram links."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lastmile.core.models import RestrictedModel, TimestampedModel, updated_at_trigger
from lastmile.notifications.events import EVENT_CHOICES


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    TELEGRAM = "telegram", _("Telegram")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("webhook")


SUBSCRIBER_CHANNELS = (Channel.EMAIL, Channel.TELEGRAM, Channel.SMS)


class Language(models.TextChoices):
    EN = "en", _("English")
    RU = "ru", _("Russian")


class Outbox(RestrictedModel):
    """One message to one recipient over one channel, delivered by the worker.

    Rows are written in the writer's transaction (a rollback drops them) and
    are unique per (dedup_key, channel, recipient), so an event is never sent
    twice.  The worker claims due rows with a conditional UPDATE and skips
    rows another worker holds.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=500)
    event = models.CharField(_("event"), max_length=40, choices=EVENT_CHOICES)
    language = models.CharField(_("language"), max_length=5, default="en")
    template = models.ForeignKey(
        "notifications.NotificationTemplate",
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("rendered text"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, encoder=DjangoJSONEncoder)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    staff_user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    dedup_key = models.CharField(_("de-duplication key"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("delivery log")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key", "channel", "recipient"], name="outbox_unique_delivery"
            ),
            models.CheckConstraint(condition=~Q(recipient=""), name="outbox_has_recipient"),
            models.CheckConstraint(
                condition=Q(state="sent", sent_at__isnull=False) | ~Q(state="sent"),
                name="outbox_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="queued"),
                name="outbox_due",
            ),
            models.Index(fields=["state", "channel"], name="outbox_state_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.channel}:{self.recipient}"


class NotificationTemplate(TimestampedModel, RestrictedModel):
    """The text of one event in one language, for all channels or one channel.

    Django template syntax over the event's context (see events.SAMPLE_CONTEXTS).
    A channel-specific template wins over the all-channels one.
    """

    event = models.CharField(_("event"), max_length=40, choices=EVENT_CHOICES)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    channel = models.CharField(
        _("channel"),
        max_length=20,
        choices=Channel.choices,
        blank=True,
        help_text=_("Empty: used for every channel without its own template."),
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        ordering = ["event", "language", "channel"]
        triggers = [updated_at_trigger()]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "language", "channel"], name="notificationtemplate_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} [{self.language}{'/' + self.channel if self.channel else ''}]"


class SubscriberPreference(TimestampedModel):
    """A subscriber's choice of channels and language; absent = the defaults."""

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    channels = ArrayField(
        models.CharField(max_length=20, choices=Channel.choices),
        verbose_name=_("channels"),
        default=list,
        blank=True,
    )
    muted_events = ArrayField(
        models.CharField(max_length=40), verbose_name=_("muted events"), default=list, blank=True
    )
    is_opted_out = models.BooleanField(_("opted out of everything"), default=False)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        triggers = [updated_at_trigger()]

    def __str__(self) -> str:
        return f"{self.customer}: {', '.join(self.channels) or '-'}"


class TelegramLink(models.Model):
    """A Telegram chat linked to a subscriber or a staff member."""

    customer = models.OneToOneField(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="telegram_link",
    )
    staff_user = models.OneToOneField(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="telegram_link",
    )
    chat_id = models.BigIntegerField(_("chat id"))
    chat_username = models.CharField(_("Telegram user"), max_length=100, blank=True)
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        verbose_name = _("Telegram link")
        verbose_name_plural = _("Telegram links")
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False, staff_user__isnull=True)
                | Q(customer__isnull=True, staff_user__isnull=False),
                name="telegramlink_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer or self.staff_user} ↔ {self.chat_id}"


class TelegramLinkCode(models.Model):
    """A one-time code the subscriber sends to the bot as ``/start CODE``."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    staff_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | Q(staff_user__isnull=False),
                name="telegramlinkcode_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ChannelCursor(models.Model):
    """A channel's polling position (e.g. the last Telegram update id)."""

    name = models.CharField(max_length=50, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
