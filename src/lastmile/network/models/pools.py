"""Address pools: IPv4 ranges and IPv6 prefixes leased to customers."""

from __future__ import annotations

import ipaddress

import pghistory
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from lastmile.core.models import RestrictedModel, TimestampedModel, updated_at_trigger
from lastmile.network.models.fields import CidrField
from lastmile.network.models.registry import Nas, Vlan


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
