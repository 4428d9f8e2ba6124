"""What the aaa app records: every change of a customer's access that must reach
the NAS, and every request sent for it with the NAS's answer."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lastmile.core.hooks import AccessReason
from lastmile.core.models import RestrictedModel
from lastmile.network.models import CoaResult, Nas

REASON_LABELS = {
    AccessReason.BLOCKED: _("blocked"),
    AccessReason.UNBLOCKED: _("unblocked"),
    AccessReason.TARIFF_CHANGED: _("tariff changed"),
    AccessReason.PREORDER_APPLIED: _("pre-order applied"),
    AccessReason.RENEWED: _("renewed"),
    AccessReason.RENEWED_AFTER_PAYMENT: _("renewed after payment"),
    AccessReason.EXPIRED: _("subscription ended"),
    AccessReason.TERMINATED: _("subscription terminated"),
    AccessReason.PROMISED_PAYMENT_ENDED: _("promised payment ended"),
    AccessReason.LEASE_ENDED: _("lease ended"),
    AccessReason.STATIC_ADDRESS_CHANGED: _("static address changed"),
    AccessReason.STAFF_DISCONNECT: _("disconnected by staff"),
    AccessReason.EQUIPMENT_CHANGED: _("equipment does not match the lease"),
    AccessReason.BINDING_CHANGED: _("IPoE binding changed"),
}
REASON_CHOICES = [(reason.value, REASON_LABELS[reason]) for reason in AccessReason]


class AccessChange(RestrictedModel):
    """One change of a customer's access, to be applied to their open sessions."""

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("access change", "pending")
        APPLIED = "applied", pgettext_lazy("access change", "applied")
        FAILED = "failed", pgettext_lazy("access change", "failed")

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="access_changes",
    )
    reason = models.CharField(_("reason"), max_length=32, choices=REASON_CHOICES)
    # Only the sessions on this address, or this one session, are concerned.
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    session_pk = models.BigIntegerField(_("session"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="pending")
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    summary = models.CharField(_("summary"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("access change")
        verbose_name_plural = _("access changes")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-requested_at"], name="access_change_customer"),
            models.Index(
                fields=["requested_at"],
                condition=models.Q(state="pending"),
                name="access_change_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.reason} ({self.state})"


class NasAttempt(RestrictedModel):
    """One CoA-Request or Disconnect-Request sent to a NAS, with its answer."""

    class Kind(models.TextChoices):
        COA = "coa", _("change of authorization")
        DISCONNECT = "disconnect", _("disconnect")
        GUEST_COA = "guest_coa", _("change of authorization to the guest profile")

    change = models.ForeignKey(
        AccessChange,
        verbose_name=_("access change"),
        on_delete=models.CASCADE,
        related_name="attempts",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the change's customer index serves the lookups
    )
    nas = models.ForeignKey(Nas, verbose_name=_("NAS"), on_delete=models.CASCADE, related_name="+")
    acct_session_id = models.CharField(_("session id"), max_length=128)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    kind = models.CharField(_("request"), max_length=10, choices=Kind.choices)
    is_fallback = models.BooleanField(_("fallback"), default=False)
    result = models.CharField(_("answer"), max_length=10, choices=CoaResult.choices)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    sent_at = models.DateTimeField(_("sent"))
    duration_ms = models.PositiveIntegerField(_("answered in (ms)"), default=0)

    class Meta:
        verbose_name = _("NAS request")
        verbose_name_plural = _("NAS requests")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["-sent_at"], name="nas_attempt_sent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.acct_session_id}: {self.result}"
