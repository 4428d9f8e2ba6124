"""The NAS registry and the VLANs pools and access ports use."""

from __future__ import annotations

import hashlib

import pghistory
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lastmile.core.crypto import decrypt_secret, encrypt_secret
from lastmile.core.models import RestrictedModel, TimestampedModel, updated_at_trigger


class Vendor(models.TextChoices):
    MIKROTIK = "mikrotik", _("MikroTik")
    ACCEL_PPP = "accel-ppp", _("accel-ppp")
    GENERIC = "generic", _("generic (no speed attributes)")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Vlan(TimestampedModel, RestrictedModel):
    """An 802.1Q VLAN used by pools and access ports."""

    vid = models.PositiveSmallIntegerField(_("VLAN ID"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("VLAN")
        verbose_name_plural = _("VLANs")
        ordering = ["vid"]
        triggers = [updated_at_trigger()]
        constraints = [
            models.CheckConstraint(
                condition=Q(vid__gte=1) & Q(vid__lte=4094), name="vlan_vid_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vid} {self.name}".strip()


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["secret_encrypted", "api_token_hash", "updated_at"],
)
class Nas(TimestampedModel, RestrictedModel):
    """A network access server (BRAS) allowed to talk RADIUS to lastmile."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.GenericIPAddressField(_("address"), unique=True)
    secret_encrypted = models.TextField(editable=False)
    vendor = models.CharField(
        _("vendor profile"), max_length=20, choices=Vendor.choices, default=Vendor.MIKROTIK
    )
    require_message_authenticator = models.BooleanField(
        _("require Message-Authenticator"),
        default=True,
        help_text=_("Drop Access-Requests without it (BlastRADIUS, CVE-2024-3596)."),
    )
    coa_port = models.PositiveIntegerField(_("CoA port"), default=3799)
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)
    # sha256 of the token that lets a FreeRADIUS in front of this NAS ask
    # for decisions over HTTP (rlm_rest); empty: no HTTP access.
    api_token_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("NAS")
        verbose_name_plural = _("NASes")
        ordering = ["name"]
        triggers = [updated_at_trigger()]
        constraints = [
            models.CheckConstraint(
                condition=Q(coa_port__gte=1) & Q(coa_port__lte=65535), name="nas_coa_port_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def set_secret(self, clear: str) -> None:
        self.secret_encrypted = encrypt_secret(clear)

    def get_secret(self) -> str:
        return decrypt_secret(self.secret_encrypted) if self.secret_encrypted else ""

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
