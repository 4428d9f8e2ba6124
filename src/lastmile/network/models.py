"""IP address management and sessions: NAS registry, VLANs, pools, leases,
IPoE bindings and accounting sessions.

Invariants held by PostgreSQL, not by luck:
- one address has at most one active lease (partial unique index);
- a customer has at most one active dynamic lease per pool;
- leases are never deleted: ending one sets ``ended_at`` (its history row);
- one session row per (NAS, Acct-Session-Id).
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any

import pghistory
import pgtrigger
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from lastmile.core.crypto import decrypt_secret, encrypt_secret
from lastmile.core.models import RestrictedModel, TimestampedModel, updated_at_trigger
from lastmile.network.ports import binding_key


class CidrField(models.CharField[str, str]):
    """A PostgreSQL ``cidr`` column (an IPv4 or IPv6 prefix), read as text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 43)
        super().__init__(*args, **kwargs)

    def db_type(self, connection: Any) -> str:
        return "cidr"

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in (None, ""):
            return value
        try:
            return str(ipaddress.ip_network(str(value).strip(), strict=True))
        except ValueError as exc:
            raise ValidationError(
                _("Enter a prefix like 10.64.0.0/16 or 2001:db8::/48 (host bits zero).")
            ) from exc


def normalize_mac(value: str) -> str:
    """``AA-BB-CC-DD-EE-FF``, ``aabb.ccdd.eeff`` … → ``aa:bb:cc:dd:ee:ff``; '' if not a MAC."""
    digits = "".join(c for c in value.lower() if c in "0123456789abcdef")
    if len(digits) != 12 or len(value) > 17:
        return ""
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


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


class Ipv6Use(models.TextChoices):
    """What an IPv6 pool's prefixes are sent as in the Access-Accept."""

    FRAMED = "framed", _("Framed-IPv6-Prefix (the link, usually /64)")
    DELEGATED = "delegated", _("Delegated-IPv6-Prefix (DHCPv6-PD, e.g. /56)")


#: Longest IPv6 pool span the RADIUS node indexes: 2**32 prefixes per pool.
MAX_IPV6_PREFIX_BITS = 32


class PoolKind(models.TextChoices):
    DYNAMIC = "dynamic", _("dynamic")
    STATIC = "static", _("static")
    GUEST = "guest", _("guest / blocked")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Pool(TimestampedModel, RestrictedModel):
    """A prefix addresses are leased from.  Empty tariff/group/NAS lists mean
    "any"; the most specific matching pool wins, then the lowest priority."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=PoolKind.choices)
    network = CidrField(_("prefix"))
    range_start = models.GenericIPAddressField(
        _("first address"), null=True, blank=True, help_text=_("Empty: the first host.")
    )
    range_end = models.GenericIPAddressField(
        _("last address"), null=True, blank=True, help_text=_("Empty: the last host.")
    )
    gateway = models.GenericIPAddressField(_("gateway"), null=True, blank=True)
    delegated_prefix_length = models.PositiveSmallIntegerField(
        _("delegated prefix length"),
        null=True,
        blank=True,
        help_text=_("IPv6 only: the length of each customer's prefix, e.g. 64 or 56."),
    )
    ipv6_use = models.CharField(
        _("IPv6 attribute"),
        max_length=10,
        blank=True,
        choices=Ipv6Use.choices,
        help_text=_("IPv6 only: which attribute carries the customer's prefix."),
    )
    vlan = models.ForeignKey(
        Vlan, verbose_name=_("VLAN"), null=True, blank=True, on_delete=models.PROTECT
    )
    tariffs = models.ManyToManyField(
        "subscriptions.Tariff", verbose_name=_("tariffs"), blank=True, related_name="pools"
    )
    groups = models.ManyToManyField(
        "customers.CustomerGroup",
        verbose_name=_("customer groups"),
        blank=True,
        related_name="pools",
    )
    nases = models.ManyToManyField(Nas, verbose_name=_("NASes"), blank=True, related_name="pools")
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("pool")
        verbose_name_plural = _("pools")
        ordering = ["priority", "name"]
        triggers = [updated_at_trigger()]

    def __str__(self) -> str:
        return f"{self.name} ({self.network})"

    @property
    def family(self) -> int:
        return ipaddress.ip_network(self.network).version

    def host_bounds(self) -> tuple[int, int]:
        """First and last leasable address as integers (gateway excluded later)."""
        net = ipaddress.ip_network(self.network)
        first = int(net.network_address)
        last = int(net.broadcast_address)
        if net.version == 4 and net.prefixlen <= 30:
            first, last = first + 1, last - 1
        if self.range_start:
            first = max(first, int(ipaddress.ip_address(self.range_start)))
        if self.range_end:
            last = min(last, int(ipaddress.ip_address(self.range_end)))
        return first, last

    @property
    def size(self) -> int:
        if self.family == 6:
            # IPv6: the number of customer prefixes in the pool.
            length = self.delegated_prefix_length
            prefixlen = ipaddress.ip_network(self.network).prefixlen
            return 1 << (length - prefixlen) if length and length >= prefixlen else 0
        first, last = self.host_bounds()
        gateway_inside = self.gateway and first <= int(ipaddress.ip_address(self.gateway)) <= last
        return max(0, last - first + 1 - (1 if gateway_inside else 0))

    def clean(self) -> None:
        if not self.network:
            return
        try:
            net = ipaddress.ip_network(self.network)
        except ValueError:
            return  # the field's own validation reports it
        for field in ("range_start", "range_end", "gateway"):
            value = getattr(self, field)
            if value and ipaddress.ip_address(value) not in net:
                raise ValidationError({field: _("The address is outside the prefix.")})
        if net.version == 4:
            if self.delegated_prefix_length:
                raise ValidationError(
                    {"delegated_prefix_length": _("Only IPv6 pools delegate prefixes.")}
                )
            if self.ipv6_use:
                raise ValidationError({"ipv6_use": _("Only IPv6 pools delegate prefixes.")})
            return
        length = self.delegated_prefix_length
        if length is None:
            raise ValidationError(
                {"delegated_prefix_length": _("An IPv6 pool needs the customers' prefix length.")}
            )
        if not net.prefixlen <= length <= 128:
            raise ValidationError(
                {
                    "delegated_prefix_length": _(
                        "The customers' prefix must lie inside the pool: from /%(low)s to /128."
                    )
                    % {"low": net.prefixlen}
                }
            )
        if length - net.prefixlen > MAX_IPV6_PREFIX_BITS:
            raise ValidationError(
                {
                    "delegated_prefix_length": _(
                        "At most 2^%(bits)s prefixes per pool: make the pool /%(low)s or longer."
                    )
                    % {"bits": MAX_IPV6_PREFIX_BITS, "low": length - MAX_IPV6_PREFIX_BITS}
                }
            )
        if not self.ipv6_use:
            raise ValidationError({"ipv6_use": _("Choose the attribute for the IPv6 prefix.")})
        if self.range_start or self.range_end or self.gateway:
            raise ValidationError(
                {"range_start": _("IPv6 pools hand out whole prefixes: no range or gateway.")}
            )


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


class CoaResult(models.TextChoices):
    ACK = "ack", _("acknowledged")
    NAK = "nak", _("refused")
    TIMEOUT = "timeout", _("no answer")
    ERROR = "error", _("not sent")


class Session(RestrictedModel):
    """One access session as told by RADIUS accounting (Start/Interim/Stop).
    ``octets_in`` is what the NAS received from the subscriber (upload)."""

    # Sessions are a log written at line rate.  Their references are taken
    # from the RADIUS server's cache and guarded by PROTECT (Django refuses to
    # delete a NAS or customer that has sessions), not by a database foreign
    # key: that would lock a customer row on every Accounting-Start and cost a
    # third of the accounting write (bench/aaa.py, docs/benchmarks.md).  The
    # indexes below cover both columns, so no separate FK index either.
    nas = models.ForeignKey(
        Nas,
        verbose_name=_("NAS"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    acct_session_id = models.CharField(_("session id"), max_length=128)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        db_constraint=False,
        db_index=False,
    )
    login = models.CharField(_("login"), max_length=253, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    # The prefixes the NAS reports in accounting (Framed-/Delegated-IPv6-Prefix).
    ipv6_prefix = models.CharField(_("IPv6 prefix"), max_length=43, blank=True, db_default="")
    delegated_prefix = models.CharField(
        _("delegated IPv6 prefix"), max_length=43, blank=True, db_default=""
    )
    mac = models.CharField(_("MAC"), max_length=64, blank=True)
    nas_port = models.CharField(_("NAS port"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("started"))
    updated_at = models.DateTimeField(_("last update"))
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    session_time_s = models.BigIntegerField(_("duration (s)"), default=0)
    octets_in = models.BigIntegerField(_("octets in"), default=0)
    octets_out = models.BigIntegerField(_("octets out"), default=0)
    terminate_cause = models.CharField(_("terminate cause"), max_length=40, blank=True)
    interim_interval_s = models.PositiveIntegerField(_("interim interval (s)"), default=300)
    coa_kind = models.CharField(_("last CoA kind"), max_length=20, blank=True)
    coa_result = models.CharField(
        _("last CoA result"), max_length=10, blank=True, choices=CoaResult.choices
    )
    coa_detail = models.CharField(_("last CoA detail"), max_length=255, blank=True)
    coa_at = models.DateTimeField(_("last CoA at"), null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["nas", "acct_session_id"], name="session_once_per_nas"),
            models.CheckConstraint(
                condition=Q(octets_in__gte=0) & Q(octets_out__gte=0), name="session_octets_positive"
            ),
        ]
        indexes = [
            # Also how the stale-session job finds open sessions.  No index
            # covers updated_at, so an Interim-Update (which changes only
            # unindexed columns) is written in place (HOT, fillfactor 50: see
            # migration 0003).
            models.Index(
                fields=["customer"],
                condition=Q(stopped_at__isnull=True),
                name="session_open_customer",
            ),
            models.Index(fields=["customer", "-started_at"], name="session_customer_history"),
        ]

    def __str__(self) -> str:
        return f"{self.nas_id}/{self.acct_session_id}"

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None
