"""Tables of the payment gateways: their configuration, the request log, and
each protocol's own state (Payme transactions, card intents, registry imports).

Money is credited only through ``finance.services.record_payment``; the
``finance_payment`` unique (gateway, external id) is what makes a repeated or
concurrent callback credit nothing.  Money columns are NUMERIC(14,2).
"""

from __future__ import annotations

import ipaddress
import json
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lastmile.core.crypto import decrypt_secret, encrypt_secret
from lastmile.core.models import RestrictedModel, updated_at_trigger


def _payment_link() -> models.ForeignKey[Any]:
    """The payment a gateway row led to (none until it did)."""
    return models.ForeignKey(
        "finance.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("payment"),
    )


def _customer_link() -> models.ForeignKey[Any]:
    """The customer a gateway row credits (always known)."""
    return models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("customer"),
    )


def _settled_checks(prefix: str, *, settled: str) -> list[models.BaseConstraint]:
    """A positive amount, and a payment once the row is in its ``settled`` state."""
    return [
        models.CheckConstraint(condition=Q(amount__gt=0), name=f"{prefix}_amount_positive"),
        models.CheckConstraint(
            condition=~Q(state=settled) | Q(payment__isnull=False),
            name=f"{prefix}_{settled}_has_payment",
        ),
    ]


def validate_network(value: str) -> None:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError as exc:
        raise ValidationError(
            _("%(value)s is not an IP network (write 10.0.0.0/8 or 192.0.2.10)."),
            params={"value": value},
        ) from exc


class GatewayConfig(RestrictedModel):
    """One row per gateway plugin: whether it is on, its secrets (encrypted),
    the networks its callbacks may come from, and the accepted amount range."""

    class Mode(models.TextChoices):
        LIVE = "live", _("live")
        TEST = "test", _("test")

    name = models.SlugField(_("gateway"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=100, blank=True)
    is_enabled = models.BooleanField(_("enabled"), default=False)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.LIVE)
    allowed_networks = ArrayField(
        models.CharField(max_length=50, validators=[validate_network]),
        verbose_name=_("allowed source networks"),
        default=list,
        blank=True,
        help_text=_("Callbacks from other addresses are refused. Empty: refuse all."),
    )
    min_amount = models.DecimalField(
        _("minimum amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_amount = models.DecimalField(
        _("maximum amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    # JSON object of the plugin's credential fields, Fernet-encrypted.
    credentials_encrypted = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("gateway configuration")
        verbose_name_plural = _("gateway configurations")
        ordering = ["name"]
        triggers = [updated_at_trigger()]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_amount__isnull=True)
                | Q(max_amount__isnull=True)
                | Q(min_amount__lte=models.F("max_amount")),
                name="gateway_min_not_above_max",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.name

    def get_credentials(self) -> dict[str, str]:
        if not self.credentials_encrypted:
            return {}
        data = json.loads(decrypt_secret(self.credentials_encrypted))
        return {str(k): str(v) for k, v in data.items()}

    def set_credentials(self, values: dict[str, str]) -> None:
        clean = {k: v for k, v in values.items() if v}
        self.credentials_encrypted = encrypt_secret(json.dumps(clean)) if clean else ""

    def credential(self, key: str) -> str:
        return self.get_credentials().get(key, "")

    def option(self, key: str, default: Any = "") -> Any:
        return (self.options or {}).get(key, default)

    def is_address_allowed(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        for net in self.allowed_networks:
            try:
                if ip in ipaddress.ip_network(net, strict=False):
                    return True
            except ValueError:
                continue
        return False

    def amount_problem(self, amount: Decimal) -> str:
        """Empty when the amount is within the configured range, else why not."""
        if self.min_amount is not None and amount < self.min_amount:
            return f"amount {amount} is below the minimum {self.min_amount}"
        if self.max_amount is not None and amount > self.max_amount:
            return f"amount {amount} is above the maximum {self.max_amount}"
        return ""


class GatewayRequestLog(RestrictedModel):
    """Every callback request and our response, secrets masked.  Append-only."""

    gateway = models.CharField(_("gateway"), max_length=40, db_index=True)
    action = models.CharField(_("action"), max_length=40, blank=True)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=300)
    remote_addr = models.GenericIPAddressField(_("source address"), null=True, blank=True)
    request_body = models.TextField(_("request"), blank=True)
    response_status = models.PositiveSmallIntegerField(_("HTTP status"))
    response_body = models.TextField(_("response"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=40, blank=True, db_index=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    customer_id = models.BigIntegerField(_("customer id"), null=True, blank=True)
    payment = _payment_link()
    created_at = models.DateTimeField(_("time"), db_default=models.functions.Now(), db_index=True)

    class Meta:
        verbose_name = _("gateway request")
        verbose_name_plural = _("gateway requests")
        ordering = ["-id"]
        indexes = [models.Index(fields=["gateway", "created_at"], name="gwlog_gateway_time")]

    def __str__(self) -> str:
        return f"{self.gateway} {self.action} {self.response_status}"


class PaymeTransaction(RestrictedModel):
    """A Payme merchant-API transaction and its state machine:
    created → performed → cancelled after perform; created → cancelled."""

    class State(models.TextChoices):
        CREATED = "created", _("created")
        PERFORMED = "performed", _("performed")
        CANCELLED = "cancelled", _("cancelled")
        CANCELLED_AFTER_PERFORM = "cancelled_after_perform", _("cancelled after perform")

    payme_id = models.CharField(_("Payme id"), max_length=100, unique=True)
    customer = _customer_link()
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    payme_time_ms = models.BigIntegerField(_("Payme time (ms)"))
    create_time_ms = models.BigIntegerField(_("created (ms)"))
    perform_time_ms = models.BigIntegerField(_("performed (ms)"), default=0)
    cancel_time_ms = models.BigIntegerField(_("cancelled (ms)"), default=0)
    state = models.CharField(
        _("state"), max_length=30, choices=State.choices, default=State.CREATED
    )
    reason = models.SmallIntegerField(_("cancel reason"), null=True, blank=True)
    payment = _payment_link()

    class Meta:
        verbose_name = _("Payme transaction")
        verbose_name_plural = _("Payme transactions")
        ordering = ["-payme_time_ms"]
        constraints = _settled_checks("payme", settled="performed")

    def __str__(self) -> str:
        return f"payme:{self.payme_id} {self.state}"


class AllTimeCheck(models.Model):
    """The amount an AllTime check step (ACT=1 with PAY_ID and PAY_AMOUNT) fixed
    for its PAY_ID.  The protocol's SIGN does not cover PAY_AMOUNT, so the pay
    step (ACT=4) is credited only with the amount checked here."""

    pay_id = models.CharField(_("PAY_ID"), max_length=100, unique=True)
    customer = _customer_link()
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(_("checked"), db_default=models.functions.Now())

    class Meta:
        verbose_name = _("AllTime checked amount")
        verbose_name_plural = _("AllTime checked amounts")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="alltime_check_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"alltime:{self.pay_id} {self.amount}"


class CardPaymentIntent(RestrictedModel):
    """A "pay online" started in the cabinet: pending until the provider's
    signed notification says paid or declined."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        PAID = "paid", _("paid")
        DECLINED = "declined", _("declined")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = _customer_link()
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    return_url = models.CharField(_("return URL"), max_length=500)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING
    )
    provider_transaction_id = models.CharField(
        _("provider transaction"), max_length=100, blank=True
    )
    payment = _payment_link()
    created_at = models.DateTimeField(_("created"), db_default=models.functions.Now())
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("card payment")
        verbose_name_plural = _("card payments")
        ordering = ["-created_at"]
        constraints = _settled_checks("card_intent", settled="paid")

    def __str__(self) -> str:
        return f"card:{self.pk} {self.amount} {self.state}"


class RegistryImport(RestrictedModel):
    """A bank statement / registry file uploaded by a cashier: previewed, then
    confirmed as a whole (or not at all)."""

    class State(models.TextChoices):
        PREVIEW = "preview", _("preview")
        CONFIRMED = "confirmed", _("confirmed")

    file_name = models.CharField(_("file"), max_length=200)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PREVIEW
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), db_default=models.functions.Now())
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.state})"


class RegistryRow(models.Model):
    """One line of a registry file and what it matched."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        DUPLICATE = "duplicate", _("duplicate")
        ERROR = "error", _("error")
        IMPORTED = "imported", _("imported")

    registry = models.ForeignKey(
        RegistryImport, on_delete=models.CASCADE, related_name="rows", verbose_name=_("import")
    )
    line_number = models.PositiveIntegerField(_("line"))
    raw = models.TextField(_("raw line"), blank=True)
    paid_on = models.DateField(_("date"), null=True, blank=True)
    account_ref = models.CharField(_("customer reference"), max_length=100, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("customer"),
    )
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    bank_transaction_id = models.CharField(_("bank transaction id"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    error = models.TextField(_("error"), blank=True)
    payment = _payment_link()

    class Meta:
        verbose_name = _("registry row")
        verbose_name_plural = _("registry rows")
        ordering = ["registry", "line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["registry", "line_number"], name="registry_row_unique_line"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registry_id}:{self.line_number}"
