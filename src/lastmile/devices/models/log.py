"""The append-only log of every command sent (or refused) to a device."""

from __future__ import annotations

from typing import Any

import pgtrigger
from django.db import models
from django.utils.translation import gettext_lazy as _

from lastmile.core.models import RestrictedModel
from lastmile.devices.models.inventory import Device


class Outcome(models.TextChoices):
    OK = "ok", _("done")
    ERROR = "error", _("device error")
    UNREACHABLE = "unreachable", _("no answer")
    UNSUPPORTED = "unsupported", _("not supported")
    BAD_INPUT = "bad_input", _("refused input")
    DENIED = "denied", _("not allowed")
    BUSY = "busy", _("device busy")


class DeviceAction(RestrictedModel):
    """One command sent (or refused) to a device: append-only, a trigger
    refuses UPDATE and DELETE.  No foreign keys in the database: the log
    outlives a deleted device or staff account (names are copied)."""

    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="actions",
    )
    device_name = models.CharField(_("device"), max_length=100)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("who"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    operation = models.CharField(_("operation"), max_length=40)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    outcome = models.CharField(_("result"), max_length=12, choices=Outcome.choices)
    result = models.JSONField(_("answer"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("when"), db_index=True)
    duration_ms = models.PositiveIntegerField(_("duration, ms"), default=0)

    class Meta:
        verbose_name = _("device action")
        verbose_name_plural = _("device actions")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["device", "-started_at"], name="deviceaction_device_at")]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.device_name}: {self.operation} ({self.outcome})"

    @property
    def is_ok(self) -> bool:
        return self.outcome == Outcome.OK

    @property
    def operation_title(self) -> str:
        """The operation in words (its code when no longer known)."""
        from lastmile.devices.operations import action_title

        return str(action_title(self.operation))

    @property
    def parameters_text(self) -> str:
        """The parameters as "name: value" pairs, not a Python dict."""
        if not isinstance(self.parameters, dict):
            return str(self.parameters or "")
        return "; ".join(f"{name}: {_plain(value)}" for name, value in self.parameters.items())

    def summary(self) -> dict[str, Any]:
        return {"operation": self.operation, "outcome": self.outcome, "error": self.error}


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)
