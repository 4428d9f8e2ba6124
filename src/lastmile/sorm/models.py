"""The record of every SORM export (runs and their files) and the data gaps
found before export.

The file contents themselves live under ``LASTMILE_SORM_STORAGE_DIR``; the
row here keeps their SHA-256 and size, so a retry re-sends exactly what was
produced and a download can be checked against it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lastmile.accounts.models import staff_link
from lastmile.core.models import RestrictedModel


class RunKind(models.TextChoices):
    FULL = "full", _("full")
    INCREMENTAL = "incremental", _("incremental")
    AS_OF = "as_of", _("as of a past moment")
    RETRY = "retry", _("retry of failed files")


class RunState(models.TextChoices):
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    PARTIAL = "partial", _("partly delivered")
    FAILED = "failed", _("failed")


class FileState(models.TextChoices):
    STORED = "stored", _("stored, not sent")
    EMPTY = "empty", _("empty, not sent")
    HELD = "held", _("held until earlier files are delivered")
    UPLOADED = "uploaded", _("delivered")
    FAILED = "failed", _("delivery failed, will be retried")


class ExportRun(RestrictedModel):
    """One export: which moment its data is valid at, which journal entries
    it covers (the watermarks), and how it ended."""

    kind = models.CharField(_("kind"), max_length=20, choices=RunKind.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=RunState.choices, default=RunState.RUNNING
    )
    as_of = models.DateTimeField(_("data as of"))
    since = models.DateTimeField(_("changes since"), null=True, blank=True)
    watermarks = models.JSONField(_("journal watermarks"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"), db_default=models.functions.Now())
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    upload = models.BooleanField(_("upload"), default=True)
    error = models.TextField(_("error"), blank=True)
    actor = staff_link(_("started by"))

    class Meta:
        verbose_name = _("SORM export")
        verbose_name_plural = _("SORM exports")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class ExportFile(RestrictedModel):
    """One produced file: its remote name (unique, so names never collide),
    rows written and refused, hash, and every delivery attempt."""

    run = models.ForeignKey(
        ExportRun, on_delete=models.PROTECT, related_name="files", verbose_name=_("export")
    )
    file_type = models.CharField(_("file type"), max_length=30)
    stage = models.PositiveSmallIntegerField(_("order"))
    remote_path = models.CharField(_("file"), max_length=300)
    storage_path = models.CharField(max_length=500, editable=False)
    transfer_mode = models.CharField(max_length=10, default="ascii")
    rows = models.PositiveIntegerField(_("rows"), default=0)
    rejected = models.PositiveIntegerField(_("rows refused"), default=0)
    errors = models.JSONField(_("refused rows"), default=list, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=FileState.choices, default=FileState.STORED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    attempt_log = models.JSONField(_("attempts"), default=list, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), db_default=models.functions.Now())

    class Meta:
        verbose_name = _("SORM file")
        verbose_name_plural = _("SORM files")
        ordering = ["run_id", "stage", "id"]
        constraints = [
            # A timestamped name is used once: two files of one type in one
            # second get the next free second (lease binds alone keep one name).
            models.UniqueConstraint(
                fields=["remote_path"],
                condition=~Q(file_type="lease_binds"),
                name="sorm_file_name_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["failed", "held"]),
                name="sorm_file_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.remote_path


class GapKind(models.TextChoices):
    NO_CONTRACT = "no_contract", _("no contract")
    NO_NAME = "no_name", _("no full name")
    NO_PASSPORT = "no_passport", _("no passport")
    NO_ADDRESS = "no_address", _("address not in the registry")
    NO_PHONE = "no_phone", _("no contact phone")
    NO_SERVICE = "no_service", _("active customer without a service")
    LEASE_NO_CUSTOMER = "lease_no_customer", _("static lease of an inactive customer")
    BAD_MAC = "bad_mac", _("MAC address not understood")
    NO_DESCRIPTION = "no_description", _("no description or place")
    NO_TYPE_CODE = "no_type_code", _("address type without a SOCRBASE code")
    OTHER = "other", _("other")


class DataGap(RestrictedModel):
    """Something the export needs and does not have, found by the last check
    (the list is rebuilt on each check; staff fix the data, not this row)."""

    kind = models.CharField(_("problem"), max_length=30, choices=GapKind.choices)
    file_type = models.CharField(_("file type"), max_length=30)
    object_type = models.CharField(_("object type"), max_length=50)
    object_id = models.CharField(_("object id"), max_length=64)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("customer"),
    )
    message = models.CharField(_("details"), max_length=500)
    found_at = models.DateTimeField(_("found"), db_default=models.functions.Now())

    class Meta:
        verbose_name = _("SORM data gap")
        verbose_name_plural = _("SORM data gaps")
        ordering = ["kind", "object_type", "object_id"]
        indexes = [models.Index(fields=["kind"], name="sorm_gap_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.object_type} {self.object_id}"
