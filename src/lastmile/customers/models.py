"""Subscribers (customers), their groups and staff-defined extra fields."""

from __future__ import annotations

import pghistory
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from lastmile.accounts.models import site_link
from lastmile.core.crypto import decrypt_secret, encrypt_secret
from lastmile.core.models import RestrictedModel, TimestampedModel, updated_at_trigger


class LoginStem(models.Func):
    """The login without its trailing digits ("user10" -> "user"): the first
    key of the natural order (user1, user2, user10)."""

    template = "regexp_replace(%(expressions)s, '[0-9]+$', '')"
    output_field = models.CharField()

    def __init__(self, *expressions: object) -> None:
        super().__init__(*(expressions or [models.F("login")]))


class LoginNumber(models.Func):
    """The login's trailing number as a numeric (NULL without one): the
    second key of the natural order; numeric, so any length compares right."""

    template = "(substring(%(expressions)s from '[0-9]+$'))::numeric"
    output_field = models.DecimalField()

    def __init__(self, *expressions: object) -> None:
        super().__init__(*(expressions or [models.F("login")]))


def natural_login_order() -> tuple[str, ...]:
    """Order-by names for a queryset annotated by ``with_natural_login``."""
    return ("login_stem", "login_number", "login")


class CustomerSearchText(models.Func):
    """Lower-cased login, contract, name, phones and address in one string.

    ``customer_search_text`` is an IMMUTABLE SQL function (migration 0002)
    with a trigram GIN index on it, so "contains" searches over all these
    columns stay fast on 100,000+ customers.
    """

    function = "customer_search_text"
    output_field = models.TextField()

    fields = (
        "login",
        "contract_number",
        "full_name",
        "phones",
        "locality",
        "street",
        "house",
        "apartment",
    )

    def __init__(self, *expressions: object) -> None:
        super().__init__(*(expressions or [models.F(name) for name in self.fields]))


class CustomerKind(models.TextChoices):
    """Who the customer is (details in lastmile.parties)."""

    INDIVIDUAL = "individual", _("individual")
    ENTREPRENEUR = "entrepreneur", _("individual entrepreneur")
    LEGAL = "legal", _("legal entity")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CustomerGroup(TimestampedModel, RestrictedModel):
    """A group of customers (a district, a building, "legal entities"…): which
    tariffs they may buy, which extra fields they have, who may manage them."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    site = site_link()
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        ordering = ["name"]
        triggers = [updated_at_trigger()]

    def __str__(self) -> str:
        return self.name


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["pppoe_secret_encrypted", "cabinet_password", "updated_at"],
)
class Customer(TimestampedModel, RestrictedModel):
    """A subscriber.  ``login`` is the PPPoE user name and the cabinet login."""

    login = models.CharField(_("login"), max_length=64, unique=True)
    contract_number = models.CharField(_("contract number"), max_length=64, unique=True)
    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    phones = ArrayField(
        models.CharField(max_length=32), verbose_name=_("phones"), default=list, blank=True
    )
    email = models.EmailField(_("email"), blank=True)
    locality = models.CharField(_("locality"), max_length=100, blank=True)
    street = models.CharField(_("street"), max_length=100, blank=True)
    house = models.CharField(_("house"), max_length=20, blank=True)
    apartment = models.CharField(_("apartment"), max_length=20, blank=True)
    # db_default too: bulk loaders (COPY in customers.demo) name their columns.
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=CustomerKind.choices,
        default=CustomerKind.INDIVIDUAL,
        db_default=CustomerKind.INDIVIDUAL,
    )
    # The service address in the registry (lastmile.addresses); the text fields
    # above stay as typed (matching them fills this, see lastmile.parties.matching).
    address_object = models.ForeignKey(
        "addresses.AddressObject",
        verbose_name=_("address in the registry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    group = models.ForeignKey(
        CustomerGroup,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    site = site_link("customers")
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)
    # Read by the RADIUS nodes (aaa.state): overrides LASTMILE_RADIUS_SIMULTANEOUS_USE.
    simultaneous_use = models.PositiveSmallIntegerField(
        _("sessions at once"),
        null=True,
        blank=True,
        help_text=_(
            "How many sessions this customer may have open at once: empty for the "
            "server's setting, 0 for no limit."
        ),
    )
    # Clear text is needed for CHAP: encrypted at rest, never stored plain.
    pppoe_secret_encrypted = models.TextField(blank=True, editable=False)
    # Typed by a human at the cabinet: hashed.
    cabinet_password = models.CharField(max_length=128, blank=True, editable=False)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["login"]
        triggers = [updated_at_trigger()]
        indexes = [
            models.Index(Lower("login"), name="customer_login_lower"),
            # The list's natural order (user1, user2, user10), also per site and
            # per group (what a site- or group-scoped clerk sees).  They include
            # the id, which is all the light list query selects: a deep page
            # skips index entries (an index-only scan), not table rows.
            models.Index(
                LoginStem(), LoginNumber(), "login", name="customer_natural", include=["id"]
            ),
            models.Index(
                "site",
                LoginStem(),
                LoginNumber(),
                "login",
                name="customer_site_natural",
                include=["id"],
            ),
            models.Index(
                "group",
                LoginStem(),
                LoginNumber(),
                "login",
                name="customer_group_natural",
                include=["id"],
            ),
            models.Index(fields=["group", "is_active"], name="customer_group_active"),
            models.Index(fields=["site", "is_active"], name="customer_site_active"),
            GinIndex(
                OpClass(CustomerSearchText(), name="gin_trgm_ops"), name="customer_search_trgm"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(login=""), name="customer_login_not_empty"),
        ]

    def __str__(self) -> str:
        return self.login

    @property
    def address(self) -> str:
        parts = [self.locality, self.street, self.house]
        text = ", ".join(p for p in parts if p)
        return f"{text}, {self.apartment}" if self.apartment else text

    # Secrets ------------------------------------------------------------------
    def set_pppoe_secret(self, clear: str) -> None:
        self.pppoe_secret_encrypted = encrypt_secret(clear) if clear else ""

    def get_pppoe_secret(self) -> str:
        return decrypt_secret(self.pppoe_secret_encrypted) if self.pppoe_secret_encrypted else ""

    def set_cabinet_password(self, clear: str) -> None:
        self.cabinet_password = make_password(clear)

    def check_cabinet_password(self, clear: str) -> bool:
        """Check a cabinet login; a hash from an old or cheap hasher (demo data)
        is upgraded to the default hasher on the first success."""
        if not self.cabinet_password:
            return False

        def upgrade(raw: str) -> None:
            self.set_cabinet_password(raw)
            if self.pk is not None:
                Customer.objects.filter(pk=self.pk).update(cabinet_password=self.cabinet_password)

        return check_password(clear, self.cabinet_password, setter=upgrade)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ExtraField(TimestampedModel, RestrictedModel):
    """A typed field staff add to the customers of one group (or of all groups)."""

    class Kind(models.TextChoices):
        TEXT = "text", _("text")
        NUMBER = "number", _("number")
        DATE = "date", _("date")
        CHOICE = "choice", _("choice")

    group = models.ForeignKey(
        CustomerGroup,
        verbose_name=_("customer group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="extra_fields",
        help_text=_("Empty: the field applies to every customer."),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = ArrayField(
        models.CharField(max_length=100),
        verbose_name=_("choices"),
        default=list,
        blank=True,
        help_text=_("Allowed values of a choice field."),
    )
    is_required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("extra field")
        verbose_name_plural = _("extra fields")
        ordering = ["position", "name"]
        triggers = [updated_at_trigger()]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "name"],
                name="extrafield_unique_name_per_group",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ExtraFieldValue(TimestampedModel):
    """The value of one extra field for one customer (canonical text form:
    numbers as plain decimals, dates as ISO 8601)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="extra_values", verbose_name=_("customer")
    )
    field = models.ForeignKey(
        ExtraField, on_delete=models.CASCADE, related_name="values", verbose_name=_("field")
    )
    value = models.TextField(_("value"), blank=True)

    class Meta:
        verbose_name = _("extra field value")
        verbose_name_plural = _("extra field values")
        triggers = [updated_at_trigger()]
        constraints = [
            models.UniqueConstraint(fields=["customer", "field"], name="extrafieldvalue_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.value}"
