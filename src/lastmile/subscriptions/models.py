"""Tariffs, one-off services, periodic fees, subscriptions and billing runs."""

from __future__ import annotations

from typing import Any

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lastmile.core.models import RestrictedModel, TimestampedModel, updated_at_trigger


class PeriodKind(models.TextChoices):
    MONTH = "month", _("calendar month")
    DAYS = "days", _("number of days")


class BillingPeriod(models.Model):
    """Abstract: a price charged every calendar month or every N days."""

    period_kind = models.CharField(
        _("billing period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTH
    )
    period_days = models.PositiveSmallIntegerField(
        _("period (days)"), null=True, blank=True, help_text=_("Only for a period of N days.")
    )

    class Meta:
        abstract = True


def _period_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(Q(period_kind="month") & Q(period_days__isnull=True))
        | (Q(period_kind="days") & Q(period_days__gte=1)),
        name=name,
    )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Tariff(TimestampedModel, BillingPeriod, RestrictedModel):
    """An internet plan: price per period and speed."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    rate_down_kbps = models.PositiveIntegerField(_("download speed (kbit/s)"))
    rate_up_kbps = models.PositiveIntegerField(_("upload speed (kbit/s)"))
    burst_down_kbps = models.PositiveIntegerField(
        _("download burst (kbit/s)"), null=True, blank=True
    )
    burst_up_kbps = models.PositiveIntegerField(_("upload burst (kbit/s)"), null=True, blank=True)
    groups = models.ManyToManyField(
        "customers.CustomerGroup",
        verbose_name=_("customer groups"),
        blank=True,
        related_name="tariffs",
        help_text=_("Groups whose customers may buy this tariff."),
    )
    is_public = models.BooleanField(
        _("available to every group"), default=False, help_text=_("Ignore the group list.")
    )
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["price", "name"]
        triggers = [updated_at_trigger()]
        constraints = [
            _period_constraint("tariff_period_valid"),
            models.CheckConstraint(condition=Q(price__gte=0), name="tariff_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class OneOffService(TimestampedModel, RestrictedModel):
    """Something sold once (installation, a cable, a visit)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("one-off service")
        verbose_name_plural = _("one-off services")
        ordering = ["name"]
        triggers = [updated_at_trigger()]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="oneoff_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class PeriodicFee(TimestampedModel, BillingPeriod, RestrictedModel):
    """A recurring charge besides the tariff, e.g. monthly rent of a router."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("periodic fee")
        verbose_name_plural = _("periodic fees")
        ordering = ["name"]
        triggers = [updated_at_trigger()]
        constraints = [
            _period_constraint("fee_period_valid"),
            models.CheckConstraint(condition=Q(price__gt=0), name="fee_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class FeeAssignment(TimestampedModel, RestrictedModel):
    """A periodic fee charged to one customer until it is stopped.
    Fees are charged even into debt (the equipment is in the customer's hands)."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="fees",
        verbose_name=_("customer"),
    )
    fee = models.ForeignKey(
        PeriodicFee, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("fee")
    )
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    anchor = models.DateTimeField(_("first charge"))
    periods_charged = models.PositiveIntegerField(_("periods charged"), default=0)
    next_charge_at = models.DateTimeField(_("next charge"), db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("fee assignment")
        verbose_name_plural = _("fee assignments")
        ordering = ["-created_at"]
        triggers = [updated_at_trigger()]

    def __str__(self) -> str:
        return f"{self.fee} → {self.customer}"


class SubscriptionState(models.TextChoices):
    PREORDERED = "preordered", _("pre-ordered")
    ACTIVE = "active", pgettext_lazy("subscription state", "active")
    EXPIRED = "expired", pgettext_lazy("subscription state", "expired")
    TERMINATED = "terminated", _("terminated")


# Allowed transitions (conventions: explicit table, checked by the services).
SUBSCRIPTION_TRANSITIONS: dict[str, frozenset[str]] = {
    SubscriptionState.PREORDERED: frozenset(
        {SubscriptionState.ACTIVE, SubscriptionState.TERMINATED}
    ),
    SubscriptionState.ACTIVE: frozenset({SubscriptionState.EXPIRED, SubscriptionState.TERMINATED}),
    SubscriptionState.EXPIRED: frozenset(),
    SubscriptionState.TERMINATED: frozenset(),
}


def _unindexed_reference(to: str, *, null: bool = True) -> models.ForeignKey[Any]:
    """A reference in the journal that nothing looks events up by."""
    return models.ForeignKey(
        to,
        null=null,
        blank=null,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        related_query_name="+",
    )


# Every renewal writes a journal row: the journal keeps the indexes its readers
# use (the subscription, the customer), not one per reference (bench/billing.py).
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    exclude=["updated_at"],
    context_field=pghistory.ContextForeignKey(db_index=False),
    attrs={
        "tariff": _unindexed_reference("subscriptions.Tariff", null=False),
        "billing_run": _unindexed_reference("subscriptions.BillingRun"),
        "ordered_by": _unindexed_reference(settings.AUTH_USER_MODEL),
    },
)
class Subscription(TimestampedModel, RestrictedModel):
    """A customer's tariff for a period.  ``price`` is what the customer paid
    for the current period (the snapshot refunds are computed from)."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("customer"),
    )
    tariff = models.ForeignKey(
        Tariff, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("tariff")
    )
    price = models.DecimalField(_("price at purchase"), max_digits=14, decimal_places=2)
    state = models.CharField(_("state"), max_length=20, choices=SubscriptionState.choices)
    auto_renew = models.BooleanField(_("auto-renew"), default=True)
    anchor = models.DateTimeField(_("period anchor"), null=True, blank=True)
    periods = models.PositiveIntegerField(_("periods paid"), default=0)
    period_start = models.DateTimeField(_("period start"), null=True, blank=True)
    # Indexed for active subscriptions only (``subscription_due``): a renewal
    # moves period_end, so every index on the table gets a new entry per row.
    period_end = models.DateTimeField(_("period end"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=40, blank=True)
    billing_run = models.ForeignKey(
        "subscriptions.BillingRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        help_text=_("The billing run that last renewed, started or ended it."),
        db_index=False,  # partial index below: a renewal leaves it empty
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # partial index below
    )

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at", "-id"]
        triggers = [updated_at_trigger()]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(state="active"), name="one_active_subscription"
            ),
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(state="preordered"),
                name="one_preordered_subscription",
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="subscription_price_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(state="active")
                | (Q(period_start__isnull=False) & Q(period_end__gt=models.F("period_start"))),
                name="active_subscription_has_period",
            ),
        ]
        indexes = [
            models.Index(
                fields=["period_end"], condition=Q(state="active"), name="subscription_due"
            ),
            # Mostly empty columns: rows without a value need no index entry.
            models.Index(
                fields=["billing_run"],
                condition=Q(billing_run__isnull=False),
                name="subscription_billing_run",
            ),
            models.Index(
                fields=["ordered_by"],
                condition=Q(ordered_by__isnull=False),
                name="subscription_ordered_by",
            ),
            # The customer list's tariff filter: which customers have an active
            # subscription of a tariff, read from the index alone.
            models.Index(
                fields=["tariff", "customer"],
                condition=Q(state="active"),
                name="active_subscription_by_tariff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.tariff} ({self.state})"


class BillingRun(RestrictedModel):
    """One pass of the billing run: when, for which moment, and what it did."""

    at = models.DateTimeField(_("billing moment"))
    started_at = models.DateTimeField(_("started"), db_default=models.functions.Now())
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    renewed = models.PositiveIntegerField(_("renewed"), default=0)
    expired = models.PositiveIntegerField(_("expired"), default=0)
    preorders_applied = models.PositiveIntegerField(_("pre-orders applied"), default=0)
    fees_charged = models.PositiveIntegerField(_("fees charged"), default=0)
    total_charged = models.DecimalField(
        _("total charged"), default=0, max_digits=14, decimal_places=2
    )

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"run {self.pk} at {self.at}"
