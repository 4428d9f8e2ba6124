"""Cabinet API tokens and the subscribers' login log."""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CabinetTokenQuerySet(models.QuerySet["CabinetToken"]):
    def usable(self) -> CabinetTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class CabinetToken(models.Model):
    """A subscriber's API token (mobile app).  Only a SHA-256 of the secret is
    stored; tokens always expire and can be revoked."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="cabinet_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = CabinetTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("cabinet token")
        verbose_name_plural = _("cabinet tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class CabinetAuthEvent(models.Model):
    """Every subscriber login, logout, failed and throttled login (append-only)."""

    class Kind(models.TextChoices):
        LOGIN = "login", pgettext_lazy("login event", "login")
        LOGOUT = "logout", pgettext_lazy("login event", "logout")
        LOGIN_FAILED = "login_failed", pgettext_lazy("login event", "failed login")
        THROTTLED = "throttled", pgettext_lazy("login event", "throttled login")
        PASSWORD_CHANGED = "password_changed", _("password changed")

    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    # The log outlives a deleted customer: no database constraint, login kept.
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    login = models.CharField(_("login"), max_length=150)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    via = models.CharField(_("via"), max_length=10, default="web")
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("subscriber login event")
        verbose_name_plural = _("subscriber login events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["login", "created_at"], name="cabinet_auth_login_time"),
            models.Index(fields=["ip_address", "created_at"], name="cabinet_auth_ip_time"),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.login}"


class ContactKind(models.TextChoices):
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")


class OneTimeCode(models.Model):
    """A code sent to a subscriber's contact: to reset the cabinet password or
    to prove a new e-mail or phone.  Only a keyed hash of the code is stored;
    a code expires, dies after a few wrong entries and works once."""

    class Purpose(models.TextChoices):
        PASSWORD_RESET = "password_reset", _("password reset")
        VERIFY_CONTACT = "verify_contact", _("contact check")

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="one_time_codes",
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    contact_kind = models.CharField(_("contact"), max_length=10, choices=ContactKind.choices)
    # The address the code went to (for a contact check: the address being proved).
    target = models.CharField(_("sent to"), max_length=254)
    digest = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(_("wrong entries"), default=0)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "purpose", "created_at"], name="cabinet_code_customer")
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.contact_kind} #{self.pk}"


class VerifiedContact(models.Model):
    """An e-mail or phone the subscriber proved with a code.  A contact counts as
    verified while the customer's current e-mail (first phone) equals ``value``:
    a staff edit of the contact makes it unverified again, with nothing to sync."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="verified_contacts",
    )
    kind = models.CharField(_("contact"), max_length=10, choices=ContactKind.choices)
    value = models.CharField(_("value"), max_length=254)
    verified_at = models.DateTimeField(_("verified"), default=timezone.now)

    class Meta:
        verbose_name = _("verified contact")
        verbose_name_plural = _("verified contacts")
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind"], name="cabinet_contact_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"


class IdempotentRequest(models.Model):
    """One ``Idempotency-Key`` of a subscriber's ``/api/v1/me`` write: the
    request's fingerprint and, once it finished, the answer to replay
    (``cabinet.idempotency``).  Kept for ``IDEMPOTENCY_TTL``."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(_("key"), max_length=200)
    fingerprint = models.CharField(max_length=64)
    is_done = models.BooleanField(default=False)
    status = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(fields=["customer", "key"], name="cabinet_idempotency_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.key}"
