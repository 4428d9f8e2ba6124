"""Leases (an address or prefix bound to a customer, never deleted) and IPoE
bindings (a MAC or a switch port that identifies a customer without a password)."""

from __future__ import annotations

from typing import Any

import pghistory
import pgtrigger
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from lastmile.core.models import RestrictedModel, TimestampedModel, updated_at_trigger
from lastmile.network.models.pools import Pool
from lastmile.network.models.registry import Nas
from lastmile.network.ports import binding_key


class LeaseKind(models.TextChoices):
    DYNAMIC = "dynamic", _("dynamic")
    STATIC = "static", _("static")


class LeaseEndReason(models.TextChoices):
    EXPIRED = "expired", _("expired")
    RELEASED = "released", _("released")
    DELETED = "deleted", _("deleted by staff")
    MOVED = "moved", _("moved to another customer")
    BLOCKED = "blocked", _("customer blocked")


@pghistory.track(
    # The SORM journal (lastmile.sorm): static leases only, and only the
    # changes SORM sees, so dynamic renewals at line rate write no events.
    pghistory.InsertEvent(condition=pgtrigger.Q(new__kind="static")),
    pghistory.UpdateEvent(
        condition=pgtrigger.Condition(
            "NEW.kind = 'static' AND (OLD.address IS DISTINCT FROM NEW.address"
            " OR OLD.customer_id IS DISTINCT FROM NEW.customer_id"
            " OR OLD.mac IS DISTINCT FROM NEW.mac"
            " OR OLD.prefix_length IS DISTINCT FROM NEW.prefix_length"
            " OR OLD.ended_at IS DISTINCT FROM NEW.ended_at)"
        )
    ),
)
class Lease(RestrictedModel):
    """An address bound to a customer.  Active while ``ended_at`` is empty;
    an ended row is the lease's history and is never deleted."""

    address = models.GenericIPAddressField(_("address"))
    # IPv6: ``address`` is the first address of the leased prefix, this its length;
    # empty for an IPv4 address.  No two active prefixes overlap (migration 0006).
    prefix_length = models.PositiveSmallIntegerField(_("prefix length"), null=True, blank=True)
    pool = models.ForeignKey(
        Pool, verbose_name=_("pool"), on_delete=models.PROTECT, related_name="leases"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="leases",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LeaseKind.choices)
    mac = models.CharField(_("MAC"), max_length=17, blank=True)
    remote_id = models.CharField(_("option 82 remote id"), max_length=128, blank=True)
    circuit_id = models.CharField(_("option 82 circuit id"), max_length=128, blank=True)
    nas = models.ForeignKey(
        Nas,
        verbose_name=_("NAS"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"), db_default=Now())
    renewed_at = models.DateTimeField(_("renewed"), db_default=Now())
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=20, blank=True, choices=LeaseEndReason.choices
    )

    class Meta:
        verbose_name = _("lease")
        verbose_name_plural = _("leases")
        ordering = ["-started_at", "-id"]
        triggers = [
            pgtrigger.Protect(name="lease_never_deleted", operation=pgtrigger.Delete),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["address"], condition=Q(ended_at__isnull=True), name="lease_address_once"
            ),
            models.UniqueConstraint(
                fields=["customer", "pool"],
                condition=Q(ended_at__isnull=True, kind="dynamic"),
                name="lease_one_dynamic_per_pool",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="lease_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, end_reason="")
                | (Q(ended_at__isnull=False) & ~Q(end_reason="")),
                name="lease_end_reason_iff_ended",
            ),
        ]
        indexes = [
            models.Index(
                fields=["customer"],
                condition=Q(ended_at__isnull=True),
                name="lease_active_customer",
            ),
            models.Index(
                fields=["pool"], condition=Q(ended_at__isnull=True), name="lease_active_pool"
            ),
            # No index on expires_at or renewed_at, and fillfactor 70 (migration
            # 0010): a re-auth's renewal and an Accounting-Stop's hold time are
            # written in place (HOT) instead of through every index of the
            # table.  The minute's expiry sweep reads the active leases through
            # the partial indexes above.
            models.Index(fields=["address", "-started_at"], name="lease_address_history"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} → {self.customer_id}"

    @property
    def prefix(self) -> str:
        """The address, or the prefix ("2001:db8:100::/56") of an IPv6 lease."""
        return f"{self.address}/{self.prefix_length}" if self.prefix_length else str(self.address)

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class AccessBinding(TimestampedModel, RestrictedModel):
    """IPoE: a MAC address or a switch port (DHCP option 82) that identifies a
    customer without a password."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="access_bindings",
    )
    mac = models.CharField(_("MAC"), max_length=17, blank=True)
    remote_id = models.CharField(_("option 82 remote id (switch)"), max_length=128, blank=True)
    circuit_id = models.CharField(_("option 82 circuit id (port)"), max_length=128, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    # The canonical (switch, port) of remote_id/circuit_id (network.ports.binding_key),
    # set on every save: one physical port entered in two encodings has one key.
    port_switch = models.CharField(_("switch"), max_length=300, blank=True, editable=False)
    port_name = models.CharField(_("port"), max_length=300, blank=True, editable=False)
    # The device port this binding is on (lastmile.devices): the same row the
    # option 82 matching uses, so the device page and RADIUS agree on one port.
    device_port = models.ForeignKey(
        "devices.Port",
        verbose_name=_("device port"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bindings",
    )

    class Meta:
        verbose_name = _("IPoE binding")
        verbose_name_plural = _("IPoE bindings")
        ordering = ["customer_id", "id"]
        triggers = [updated_at_trigger()]
        constraints = [
            models.UniqueConstraint(fields=["mac"], condition=~Q(mac=""), name="binding_mac_once"),
            models.UniqueConstraint(
                fields=["port_switch", "port_name"],
                condition=~Q(remote_id=""),
                name="binding_port_key_once",
            ),
            models.CheckConstraint(
                condition=~Q(mac="") | ~Q(remote_id=""), name="binding_has_mac_or_port"
            ),
            models.CheckConstraint(
                condition=Q(remote_id="") | ~Q(port_switch=""), name="binding_port_key_set"
            ),
        ]

    def __str__(self) -> str:
        return self.mac or f"{self.remote_id}/{self.circuit_id}"

    def fill_port_key(self) -> str:
        """Set ``port_switch``/``port_name`` from the option 82 text; return the
        parser's complaint ('' when understood, or when there is no port)."""
        if not self.remote_id:
            self.port_switch = self.port_name = ""
            return ""
        (self.port_switch, self.port_name), problem = binding_key(self.remote_id, self.circuit_id)
        return problem

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_port_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"remote_id", "circuit_id"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "port_switch", "port_name"}
        super().save(*args, **kwargs)
