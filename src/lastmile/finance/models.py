"""The money ledger: one account per customer, append-only entries, payments.

Invariants held by the database as well as by the services:
- every entry satisfies balance_after = balance_before + amount;
- entries are never updated or deleted (a trigger refuses it);
- idempotency keys are unique, and so is (gateway, external id) of a payment;
- money columns are NUMERIC(14,2).
"""

from __future__ import annotations

from decimal import Decimal

import pghistory
import pgtrigger
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lastmile.accounts.models import staff_link
from lastmile.core.models import RestrictedModel, updated_at_trigger

ZERO = Decimal("0.00")


@pghistory.track(
    pghistory.UpdateEvent(condition=pghistory.AnyChange("credit_limit", "credit_until")),
    fields=["credit_limit", "credit_until"],
)
class Account(RestrictedModel):
    """A customer's money account.  ``balance`` changes only together with a
    ledger entry, under ``SELECT … FOR UPDATE`` of this row."""

    customer = models.OneToOneField(
        "customers.Customer",
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="account",
        verbose_name=_("customer"),
    )
    balance = models.DecimalField(_("balance"), default=ZERO, max_digits=14, decimal_places=2)
    credit_limit = models.DecimalField(
        _("credit limit"),
        default=ZERO,
        help_text=_("How far below zero the balance may go."),
        max_digits=14,
        decimal_places=2,
    )
    credit_until = models.DateTimeField(
        _("credit until"),
        null=True,
        blank=True,
        help_text=_("Empty: permanent credit. Set: a promised payment that ends then."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        triggers = [updated_at_trigger()]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_limit__gte=0), name="account_credit_not_negative"
            ),
        ]
        # The customer list sorted by balance walks this in order, a page at a
        # time, instead of joining every account (customers.ordering).
        indexes = [models.Index(fields=["balance", "customer"], name="account_by_balance")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.balance}"


class EntryKind(models.TextChoices):
    PAYMENT = "payment", _("payment")
    CHARGE = "charge", _("charge")
    REFUND = "refund", _("refund")
    CORRECTION = "correction", _("correction")
    REVERSAL = "reversal", _("reversal")


class LedgerEntry(RestrictedModel):
    """One change of one account's balance.  Immutable."""

    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        db_index=False,  # (account, id) below serves every lookup
        related_name="entries",
        verbose_name=_("account"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    balance_before = models.DecimalField(_("balance before"), max_digits=14, decimal_places=2)
    balance_after = models.DecimalField(_("balance after"), max_digits=14, decimal_places=2)
    # What caused it (at most one of these is set; a correction has a reason).
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("subscription"),
    )
    payment = models.ForeignKey(
        "finance.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("payment"),
    )
    # Indexes on mostly-empty foreign keys would be written for every entry
    # (50,000 per billing run) and read almost never; see Meta.indexes.
    fee = models.ForeignKey(
        "subscriptions.FeeAssignment",
        null=True,
        blank=True,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("periodic fee"),
    )
    # No database constraint: runs are never deleted, and checking it would
    # cost one index probe per charge of a billing run (50,000 per run).
    billing_run = models.ForeignKey(
        "subscriptions.BillingRun",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="ledger_entries",
        verbose_name=_("billing run"),
    )
    reason = models.TextField(_("reason"), blank=True)
    actor = staff_link(_("staff member"), db_index=False)
    actor_label = models.CharField(
        _("actor"),
        max_length=100,
        blank=True,
        help_text=_("system, customer:<login>, gateway:<name>"),
    )
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(_("time"), db_default=models.functions.Now(), db_index=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account", "id"], name="ledger_account_id"),
            models.Index(fields=["fee"], condition=Q(fee__isnull=False), name="ledger_fee"),
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="ledger_actor"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance_after=F("balance_before") + F("amount")),
                name="ledger_after_is_before_plus_amount",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(
                condition=~Q(kind="correction") | ~Q(reason=""), name="ledger_correction_has_reason"
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class Payment(RestrictedModel):
    """Money received: by a cashier, a bank, a kiosk, a card gateway.
    Unique per (gateway, external id), so a repeated callback credits nothing."""

    class State(models.TextChoices):
        COMPLETED = "completed", _("completed")
        REVERSED = "reversed", _("reversed")

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="payments", verbose_name=_("account")
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    gateway = models.CharField(_("gateway"), max_length=40, default="cash")
    external_id = models.CharField(_("external id"), max_length=100)
    receipt_number = models.CharField(_("receipt number"), max_length=64, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.COMPLETED
    )
    comment = models.TextField(_("comment"), blank=True)
    actor = staff_link(_("cashier"))
    paid_at = models.DateTimeField(_("paid at"), db_index=True)
    created_at = models.DateTimeField(_("created"), db_default=models.functions.Now())
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "external_id"], name="payment_unique_external"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.external_id} {self.amount}"
