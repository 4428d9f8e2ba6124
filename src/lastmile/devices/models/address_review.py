"""Devices whose typed installation address matched no single registry object."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lastmile.core.models import TimestampedModel, updated_at_trigger
from lastmile.parties.models import ReviewReason


class DeviceAddressReview(TimestampedModel):
    """A device on the review list of typed addresses (beside the customers'
    ``parties.AddressReview``), with the reason the match failed; a later
    match, or staff picking the address in the device form, takes it off."""

    device = models.OneToOneField(
        "devices.Device",
        verbose_name=_("device"),
        on_delete=models.CASCADE,
        related_name="address_review",
    )
    address_text = models.CharField(_("address as typed"), max_length=500)
    reason = models.CharField(_("reason"), max_length=12, choices=ReviewReason.choices)
    is_resolved = models.BooleanField(_("resolved"), default=False)

    class Meta:
        verbose_name = _("device address to review")
        verbose_name_plural = _("device addresses to review")
        ordering = ["is_resolved", "device"]
        triggers = [updated_at_trigger()]

    def __str__(self) -> str:
        return self.address_text
