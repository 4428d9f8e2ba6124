"""ONUs as their OLT last reported them, and the templates they are registered from."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lastmile.core.models import RestrictedModel, TimestampedModel, updated_at_trigger
from lastmile.devices.models.inventory import Device


class OnuTemplate(TimestampedModel, RestrictedModel):
    """What an ONU gets when it is registered on an OLT: one of the driver's
    configuration templates (``lastmile.drivers.zte.TEMPLATES``) with the
    VLAN and ONU type staff chose."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    driver = models.CharField(_("OLT type"), max_length=50, blank=True)
    onu_type = models.CharField(_("ONU type"), max_length=50, blank=True)
    vlan = models.PositiveSmallIntegerField(_("VLAN ID"), null=True, blank=True)
    driver_template = models.CharField(
        _("driver template"),
        max_length=50,
        blank=True,
        help_text=_("The driver's template name, e.g. f601-bridge; empty: the OLT's default."),
    )

    class Meta:
        verbose_name = _("ONU template")
        verbose_name_plural = _("ONU templates")
        ordering = ["name"]
        triggers = [updated_at_trigger()]
        constraints = [
            models.CheckConstraint(
                condition=Q(vlan__isnull=True) | (Q(vlan__gte=1) & Q(vlan__lte=4094)),
                name="onutemplate_vlan_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Onu(TimestampedModel, RestrictedModel):
    """An ONU as its OLT last reported it (``devices.onus.refresh_onus``).
    ``is_present`` is False once the OLT no longer lists it; the row stays,
    with its link to the customer's binding, until staff delete it."""

    olt = models.ForeignKey(
        Device, verbose_name=_("OLT"), on_delete=models.CASCADE, related_name="onu_rows"
    )
    fiber = models.CharField(_("fiber"), max_length=100)
    number = models.PositiveIntegerField(_("ONU number"))
    serial = models.CharField(_("serial / MAC"), max_length=32, blank=True, db_index=True)
    mac = models.CharField(_("MAC"), max_length=17, blank=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    model = models.CharField(_("model"), max_length=50, blank=True)
    state = models.CharField(_("state"), max_length=30, blank=True)
    is_present = models.BooleanField(_("on the OLT"), default=True)
    rx_dbm = models.DecimalField(
        _("rx, dBm"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    tx_dbm = models.DecimalField(
        _("tx, dBm"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    olt_rx_dbm = models.DecimalField(
        _("OLT rx, dBm"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    # The VLANs the OLT listed with the ONU, or (ZTE's SNMP has none) the last
    # CLI read of them: a staff read, or the read-back after a VLAN change.
    vlans = ArrayField(
        models.PositiveSmallIntegerField(), verbose_name=_("VLANs"), default=list, blank=True
    )
    vlans_read_at = models.DateTimeField(_("VLANs read at"), null=True, blank=True)
    binding = models.ForeignKey(
        "network.AccessBinding",
        verbose_name=_("customer binding"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="onus",
    )

    class Meta:
        verbose_name = _("ONU")
        verbose_name_plural = _("ONUs")
        ordering = ["olt_id", "fiber", "number"]
        triggers = [updated_at_trigger()]
        constraints = [
            models.UniqueConstraint(fields=["olt", "fiber", "number"], name="onu_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.fiber}:{self.number}" + (f" {self.name}" if self.name else "")

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("devices:onu_detail", args=[self.pk])
