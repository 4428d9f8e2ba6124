"""Devices, their ports, the links between them and their status history."""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lastmile.accounts.models import site_link
from lastmile.core.crypto import decrypt_secret, encrypt_secret
from lastmile.core.models import RestrictedModel, TimestampedModel, updated_at_trigger

#: Driver names that are not drivers: the device is inventory only.
NO_DRIVER = "unknown"
GENERIC = "generic"


class Status(models.TextChoices):
    UP = "up", _("up")
    DOWN = "down", _("down")
    UNKNOWN = "unknown", _("unknown")


class SnmpVersion(models.TextChoices):
    V2C = "2c", _("v2c (community)")
    V3 = "3", _("v3 (user)")


#: Encrypted secret fields: (model attribute, what it is).
SECRET_FIELDS = (
    "snmp_community",
    "snmp_write_community",
    "snmp_auth_key",
    "snmp_priv_key",
    "cli_password",
    "cli_enable_password",
)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=[f"{name}_encrypted" for name in SECRET_FIELDS]
    + ["updated_at", "polled_at", "pending_status", "pending_since", "pending_count"],
)
class Device(TimestampedModel, RestrictedModel):
    """A managed device.  Secrets are encrypted at rest (``set_secret``)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    driver = models.CharField(_("type"), max_length=50, default=NO_DRIVER, blank=True)
    # The installation address as typed (the label, and the fallback for SORM
    # when the device is not linked to the registry).
    address = models.CharField(_("address"), max_length=255, blank=True)
    # The installation address in the registry (lastmile.addresses), as for
    # customers: ``lastmile match-addresses`` fills it from the typed text.
    address_object = models.ForeignKey(
        "addresses.AddressObject",
        verbose_name=_("address in the registry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
    )
    group = models.ForeignKey(
        "customers.CustomerGroup",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
    )
    site = site_link("devices")
    # Not unique: devices behind NAT (or simulators) share an address on other ports.
    ip = models.GenericIPAddressField(_("management IP"), null=True, blank=True, db_index=True)
    mac = models.CharField(_("MAC"), max_length=17, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent device"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)
    is_monitored = models.BooleanField(_("monitored"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UNKNOWN
    )
    status_changed_at = models.DateTimeField(_("status since"), null=True, blank=True)
    # Flap damping: the state the last polls saw and since when (monitoring.py).
    pending_status = models.CharField(max_length=10, blank=True, editable=False)
    pending_since = models.DateTimeField(null=True, blank=True, editable=False)
    pending_count = models.PositiveIntegerField(default=0, editable=False)
    polled_at = models.DateTimeField(_("last poll"), null=True, blank=True, editable=False)
    snmp_version = models.CharField(
        _("SNMP version"), max_length=2, choices=SnmpVersion.choices, default=SnmpVersion.V2C
    )
    snmp_port = models.PositiveIntegerField(_("SNMP port"), default=161)
    snmp_user = models.CharField(_("SNMP v3 user"), max_length=64, blank=True)
    snmp_auth_protocol = models.CharField(_("SNMP v3 auth"), max_length=10, blank=True)
    snmp_priv_protocol = models.CharField(_("SNMP v3 privacy"), max_length=10, blank=True)
    cli_username = models.CharField(_("CLI user"), max_length=64, blank=True)
    cli_port = models.PositiveIntegerField(_("CLI port"), default=23)
    snmp_community_encrypted = models.TextField(blank=True, editable=False)
    snmp_write_community_encrypted = models.TextField(blank=True, editable=False)
    snmp_auth_key_encrypted = models.TextField(blank=True, editable=False)
    snmp_priv_key_encrypted = models.TextField(blank=True, editable=False)
    cli_password_encrypted = models.TextField(blank=True, editable=False)
    cli_enable_password_encrypted = models.TextField(blank=True, editable=False)
    extra = models.JSONField(_("extra data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["name"]
        triggers = [updated_at_trigger()]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="device_not_own_parent"),
            models.CheckConstraint(
                condition=Q(snmp_port__gte=1, snmp_port__lte=65535)
                & Q(cli_port__gte=1, cli_port__lte=65535),
                name="device_ports_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="device_status_known"
            ),
        ]
        indexes = [models.Index(fields=["status", "name"], name="device_status_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("devices:device_detail", args=[self.pk])

    @property
    def has_driver(self) -> bool:
        return self.driver not in ("", NO_DRIVER, GENERIC)

    def set_secret(self, field: str, clear: str) -> None:
        if field not in SECRET_FIELDS:
            raise ValueError(f"not a secret field: {field}")
        setattr(self, f"{field}_encrypted", encrypt_secret(clear) if clear else "")

    def get_secret(self, field: str) -> str:
        if field not in SECRET_FIELDS:
            raise ValueError(f"not a secret field: {field}")
        token: str = getattr(self, f"{field}_encrypted")
        return decrypt_secret(token) if token else ""

    def has_secret(self, field: str) -> bool:
        return bool(getattr(self, f"{field}_encrypted"))


class StatusChange(models.Model):
    """One counted change of a device's status (after flap damping)."""

    class Source(models.TextChoices):
        POLL = "poll", _("poll")
        WEBHOOK = "webhook", _("external monitor")
        STAFF = "staff", _("staff")

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    previous = models.CharField(_("previous status"), max_length=10, choices=Status.choices)
    at = models.DateTimeField(_("at"), db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(status=F("previous")), name="statuschange_changes")
        ]

    def __str__(self) -> str:
        return f"{self.device_id}: {self.previous} → {self.status}"


class PortMode(models.TextChoices):
    ACCESS = "access", _("access")
    TRUNK = "trunk", _("trunk")
    HYBRID = "hybrid", _("hybrid")


class PortRole(models.TextChoices):
    UPLINK = "uplink", _("uplink")
    DOWNLINK = "downlink", _("downlink")
    CUSTOMER = "customer", _("customer")
    OTHER = "", _("—")


class PortWatch(models.TextChoices):
    """Whether a port's link changes are damped, recorded and notified."""

    BY_ROLE = "", _("if uplink")
    ALWAYS = "always", _("always")
    NEVER = "never", _("never")


class LinkState(models.TextChoices):
    UP = "up", _("up")
    DOWN = "down", _("down")
    UNKNOWN = "unknown", _("unknown")


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=[
        "updated_at", "link", "speed_mbps", "read_at",
        "link_pending", "link_pending_since", "link_pending_count",
    ],
)  # fmt: skip
class Port(TimestampedModel, RestrictedModel):
    """A port of a device.  Staff may add ports while the device is offline;
    ``link``/``speed_mbps``/``admin_up`` are what the device said at ``read_at``."""

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="ports"
    )
    number = models.PositiveIntegerField(_("port number"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    mode = models.CharField(
        _("mode"), max_length=10, choices=PortMode.choices, default=PortMode.ACCESS
    )
    role = models.CharField(
        _("role"), max_length=10, choices=PortRole.choices, default="", blank=True
    )
    watch = models.CharField(
        _("watch link"),
        max_length=6,
        choices=PortWatch.choices,
        default=PortWatch.BY_ROLE,
        blank=True,
        help_text=_("Record and notify this port's link changes: by default only uplinks."),
    )
    admin_up = models.BooleanField(_("enabled"), null=True, blank=True)
    link = models.CharField(
        _("link"), max_length=10, choices=LinkState.choices, default=LinkState.UNKNOWN
    )
    speed_mbps = models.PositiveIntegerField(_("speed, Mbit/s"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Flap damping of a watched port's link state (local_state.store_port_states).
    link_pending = models.CharField(max_length=10, blank=True, editable=False)
    link_pending_since = models.DateTimeField(null=True, blank=True, editable=False)
    link_pending_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("port")
        verbose_name_plural = _("ports")
        ordering = ["device_id", "number"]
        triggers = [updated_at_trigger()]
        constraints = [
            models.UniqueConstraint(fields=["device", "number"], name="port_number_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="port_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.device.name} {self.name or self.number}"

    @property
    def is_watched(self) -> bool:
        """Whether link changes count: the port's own setting, else its role."""
        if self.watch == PortWatch.BY_ROLE:
            return self.role == PortRole.UPLINK
        return self.watch == PortWatch.ALWAYS

    @property
    def link_pending_label(self) -> str:
        """The link state the last readings saw but the damping has not counted yet."""
        return str(LinkState(self.link_pending).label) if self.link_pending else ""

    @property
    def untagged_vid(self) -> int | None:
        for membership in self.vlans.all():
            if not membership.is_tagged:
                return membership.vid
        return None

    @property
    def tagged_vids(self) -> list[int]:
        return sorted(m.vid for m in self.vlans.all() if m.is_tagged)


class PortLinkChange(models.Model):
    """One counted change of a watched port's link state (after flap damping)."""

    port = models.ForeignKey(
        Port, verbose_name=_("port"), on_delete=models.CASCADE, related_name="link_changes"
    )
    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="link_changes"
    )
    link = models.CharField(_("link"), max_length=10, choices=LinkState.choices)
    previous = models.CharField(_("previous link"), max_length=10, choices=LinkState.choices)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("port link change")
        verbose_name_plural = _("port link changes")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(link=F("previous")), name="portlinkchange_changes")
        ]

    def __str__(self) -> str:
        return f"{self.port_id}: {self.previous} → {self.link}"


class PortVlan(models.Model):
    """A port's membership in a VLAN, tagged or untagged (one untagged at most)."""

    port = models.ForeignKey(Port, on_delete=models.CASCADE, related_name="vlans")
    vid = models.PositiveSmallIntegerField(_("VLAN ID"))
    is_tagged = models.BooleanField(_("tagged"), default=True)

    class Meta:
        verbose_name = _("port VLAN")
        verbose_name_plural = _("port VLANs")
        ordering = ["port_id", "vid"]
        constraints = [
            models.UniqueConstraint(fields=["port", "vid"], name="portvlan_once"),
            models.UniqueConstraint(
                fields=["port"], condition=Q(is_tagged=False), name="portvlan_one_untagged"
            ),
            models.CheckConstraint(
                condition=Q(vid__gte=1) & Q(vid__lte=4094), name="portvlan_vid_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vid}{'' if self.is_tagged else ' (untagged)'}"


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class Link(TimestampedModel, RestrictedModel):
    """A cable: ``upper`` is the port of the device closer to the core
    (its downlink), ``lower`` the port the other device is plugged in by
    (its uplink).  A port has one cable at most."""

    upper = models.OneToOneField(
        Port, verbose_name=_("upstream port"), on_delete=models.CASCADE, related_name="down_link"
    )
    lower = models.OneToOneField(
        Port, verbose_name=_("downstream port"), on_delete=models.CASCADE, related_name="up_link"
    )
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        ordering = ["id"]
        triggers = [updated_at_trigger()]
        constraints = [
            models.CheckConstraint(condition=~Q(upper=F("lower")), name="link_two_ports"),
        ]

    def __str__(self) -> str:
        return f"{self.upper} ↔ {self.lower}"
