"""Accounting sessions as told by RADIUS (Start/Interim/Stop), with the last CoA result."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lastmile.core.models import RestrictedModel
from lastmile.network.models.registry import Nas


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
