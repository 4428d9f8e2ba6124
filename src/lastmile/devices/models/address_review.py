"""Devices whose typed installation address matched no single registry object."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lastmile.core.models import updated_at_trigger
from lastmile.parties.models import ReviewEntry


class DeviceAddressReview(ReviewEntry):
    """A device on the review list of typed addresses (beside the customers'
    ``parties.AddressReview``), with the reason the match failed; a later
    match, or staff picking the address in the device form, takes it off."""

    device = models.OneToOneField(
        "devices.Device",
        verbose_name=_("device"),
        on_delete=models.CASCADE,
        related_name="address_review",
    )

    class Meta:
        verbose_name = _("device address to review")
        verbose_name_plural = _("device addresses to review")
        ordering = ["is_resolved", "device"]
        triggers = [updated_at_trigger()]
