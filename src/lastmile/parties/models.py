"""Who a customer is: an individual (passport), or a branch of a legal entity.

Data map (for the SORM export and the contract documents):

* ``customers.Customer.kind`` — ``CustomerKind``: individual / entrepreneur / legal.
  ``customers.Customer.address_object`` — FK to ``addresses.AddressObject``: the
  service (access point) address; the old text fields stay as typed.
* ``IndividualDetails`` (one per customer, ``customer.individual``):
  - ``last_name`` / ``first_name`` / ``patronymic``: the person's name in parts.
  - ``passport`` (property, decrypted on read) → ``Passport``: ``series``,
    ``number``, ``issued_by``, ``issued_on`` (date), ``unit_code``, ``birth_date``
    (date).  Stored encrypted in ``passport_encrypted`` (lastmile.core.crypto).
  - ``has_passport``: whether series and number are filled (readable without the key).
  - ``registration_address`` (FK AddressObject) / ``registration_address_text``.
  Seeing it needs the "view" object permission on this model
  (``IndividualDetails.objects.restrict(user, "view")``).
* ``LegalEntity`` — the organisation (or individual entrepreneur):
  - ``kind``: ``LegalKind`` legal / entrepreneur; ``full_name`` ("Общество с
    ограниченной ответственностью «Ромашка»"), ``short_name`` ("ООО «Ромашка»");
    ``sorm_title()``: short name without quotes ("ООО Ромашка").
  - ``inn`` (10 digits; 12 for an entrepreneur), ``kpp`` (9, empty for an
    entrepreneur), ``ogrn`` (13 digits OGRN or 15 digits OGRNIP).
  - ``bank_name``, ``bik`` (9), ``account`` (20), ``correspondent_account`` (20).
  - ``legal_address`` / ``actual_address`` / ``postal_address``: FK AddressObject,
    each with a ``*_text`` fallback; ``postal()`` / ``actual()`` fall back to legal.
  - ``responsible_last_name`` / ``_first_name`` / ``_patronymic`` / ``_position`` /
    ``_phone``: the named person SORM's individual row of a branch needs.
  - ``phone``, ``email``, ``site`` (FK accounts.Site), ``is_active``.
  - The legal entity's contract dates: its own contracts (``contracts.Contract``
    with ``legal_entity`` set): ``main_contract()`` there.
* ``Branch`` — a customer account of exactly one legal entity:
  ``Branch.customer`` is the primary key (a one-to-one FK), so a second legal
  entity for the same customer is refused by the database.  ``legal_entity``,
  ``name`` (the branch's own label, never exported), ``export_name`` = the
  organisation's ``sorm_title()``.
* ``AddressReview`` — a customer whose free-text address did not match the
  registry: ``customer``, ``address_text``, ``reason`` (``ReviewReason``),
  ``is_resolved``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pghistory
from django.db import models
from django.utils.translation import gettext_lazy as _

from lastmile.accounts.models import site_link
from lastmile.core.crypto import decrypt_secret, encrypt_secret
from lastmile.core.models import RestrictedModel, TimestampedModel, updated_at_trigger
from lastmile.customers.models import CustomerKind

__all__ = [
    "AddressReview",
    "Branch",
    "CustomerKind",
    "IndividualDetails",
    "LegalEntity",
    "LegalKind",
    "Passport",
    "ReviewReason",
]


class LegalKind(models.TextChoices):
    LEGAL = "legal", _("legal entity")
    ENTREPRENEUR = "entrepreneur", _("individual entrepreneur")


@dataclasses.dataclass(frozen=True)
class Passport:
    """An individual's identity document (decrypted)."""

    series: str = ""
    number: str = ""
    issued_by: str = ""
    issued_on: dt.date | None = None
    unit_code: str = ""
    birth_date: dt.date | None = None

    def to_json(self) -> str:
        data: dict[str, Any] = dataclasses.asdict(self)
        for key in ("issued_on", "birth_date"):
            data[key] = data[key].isoformat() if data[key] else None
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Passport:
        data = json.loads(text)

        def day(key: str) -> dt.date | None:
            return dt.date.fromisoformat(data[key]) if data.get(key) else None

        return cls(
            series=data.get("series") or "",
            number=data.get("number") or "",
            issued_by=data.get("issued_by") or "",
            issued_on=day("issued_on"),
            unit_code=data.get("unit_code") or "",
            birth_date=day("birth_date"),
        )


# The SORM journal (lastmile.sorm) reads this model's history: a passport or
# registration address change reaches SORM with the interval each was valid in.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["updated_at"],
)
class IndividualDetails(TimestampedModel, RestrictedModel):
    """A person's name in parts, passport and birth date (encrypted)."""

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="individual",
    )
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    passport_encrypted = models.TextField(blank=True, editable=False)
    has_passport = models.BooleanField(_("has passport"), default=False)
    registration_address = models.ForeignKey(
        "addresses.AddressObject",
        verbose_name=_("registration address"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registration_address_text = models.CharField(
        _("registration address (text)"), max_length=500, blank=True
    )

    class Meta:
        verbose_name = _("passport details")
        verbose_name_plural = _("passport details")
        triggers = [updated_at_trigger()]

    def __str__(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def passport(self) -> Passport:
        if not self.passport_encrypted:
            return Passport()
        return Passport.from_json(decrypt_secret(self.passport_encrypted))

    def set_passport(self, passport: Passport) -> None:
        self.passport_encrypted = encrypt_secret(passport.to_json())
        self.has_passport = bool(passport.series and passport.number)


class LegalEntity(TimestampedModel, RestrictedModel):
    """An organisation or an individual entrepreneur with its requisites."""

    kind = models.CharField(
        _("kind"), max_length=12, choices=LegalKind.choices, default=LegalKind.LEGAL
    )
    full_name = models.CharField(_("full legal name"), max_length=500)
    short_name = models.CharField(_("short name"), max_length=255)
    inn = models.CharField(_("INN"), max_length=12, unique=True)
    kpp = models.CharField(_("KPP"), max_length=9, blank=True)
    ogrn = models.CharField(_("OGRN / OGRNIP"), max_length=15)
    bank_name = models.CharField(_("bank"), max_length=255, blank=True)
    bik = models.CharField(_("BIK"), max_length=9, blank=True)
    account = models.CharField(_("settlement account"), max_length=20, blank=True)
    correspondent_account = models.CharField(_("correspondent account"), max_length=20, blank=True)
    legal_address = models.ForeignKey(
        "addresses.AddressObject",
        verbose_name=_("legal address"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    legal_address_text = models.CharField(_("legal address (text)"), max_length=500, blank=True)
    actual_address = models.ForeignKey(
        "addresses.AddressObject",
        verbose_name=_("actual address"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actual_address_text = models.CharField(_("actual address (text)"), max_length=500, blank=True)
    postal_address = models.ForeignKey(
        "addresses.AddressObject",
        verbose_name=_("postal address"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    postal_address_text = models.CharField(_("postal address (text)"), max_length=500, blank=True)
    responsible_last_name = models.CharField(_("responsible: last name"), max_length=100)
    responsible_first_name = models.CharField(_("responsible: first name"), max_length=100)
    responsible_patronymic = models.CharField(
        _("responsible: patronymic"), max_length=100, blank=True
    )
    responsible_position = models.CharField(_("responsible: position"), max_length=100, blank=True)
    responsible_phone = models.CharField(_("responsible: phone"), max_length=32, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    site = site_link()
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")
        ordering = ["short_name"]
        triggers = [updated_at_trigger()]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(inn__regex=r"^([0-9]{10}|[0-9]{12})$"), name="legal_inn_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(ogrn__regex=r"^([0-9]{13}|[0-9]{15})$"),
                name="legal_ogrn_digits",
            ),
            models.CheckConstraint(
                condition=models.Q(bik="") | models.Q(bik__regex=r"^[0-9]{9}$"),
                name="legal_bik_digits",
            ),
            models.CheckConstraint(
                condition=models.Q(account="") | models.Q(account__regex=r"^[0-9]{20}$"),
                name="legal_account_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name

    def sorm_title(self) -> str:
        """The short name without quotes ("ООО Ромашка"), as SORM wants it."""
        text = self.short_name or self.full_name
        for mark in "\"'«»„“”":
            text = text.replace(mark, "")
        return " ".join(text.split())

    @property
    def responsible_name(self) -> str:
        parts = (
            self.responsible_last_name,
            self.responsible_first_name,
            self.responsible_patronymic,
        )
        return " ".join(p for p in parts if p)

    def legal(self) -> tuple[Any, str]:
        return self.legal_address, self.legal_address_text

    def actual(self) -> tuple[Any, str]:
        if self.actual_address_id or self.actual_address_text:
            return self.actual_address, self.actual_address_text
        return self.legal()

    def postal(self) -> tuple[Any, str]:
        if self.postal_address_id or self.postal_address_text:
            return self.postal_address, self.postal_address_text
        return self.legal()


class Branch(TimestampedModel, RestrictedModel):
    """A customer account that belongs to one legal entity (the database allows one)."""

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="branch",
    )
    legal_entity = models.ForeignKey(
        LegalEntity,
        verbose_name=_("legal entity"),
        on_delete=models.PROTECT,
        related_name="branches",
    )
    name = models.CharField(_("branch name"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["legal_entity", "name"]
        triggers = [updated_at_trigger()]

    def __str__(self) -> str:
        return self.name or str(self.customer_id)

    @property
    def export_name(self) -> str:
        """The whole organisation's name: what every export shows for a branch."""
        return self.legal_entity.sorm_title()


class ReviewReason(models.TextChoices):
    NO_LOCALITY = "no_locality", _("locality not found")
    NO_STREET = "no_street", _("street not found")
    NO_HOUSE = "no_house", _("house not found")
    AMBIGUOUS = "ambiguous", _("several matches")
    EMPTY = "empty", _("address incomplete")


class ReviewEntry(TimestampedModel):
    """An entry of the review list of typed addresses: what was typed, why it
    matched no single registry object, whether staff have dealt with it."""

    address_text = models.CharField(_("address as typed"), max_length=500)
    reason = models.CharField(_("reason"), max_length=12, choices=ReviewReason.choices)
    is_resolved = models.BooleanField(_("resolved"), default=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.address_text


class AddressReview(ReviewEntry, RestrictedModel):
    """A customer whose free-text address found no single registry object."""

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="address_review",
    )

    class Meta:
        verbose_name = _("address to review")
        verbose_name_plural = _("addresses to review")
        ordering = ["is_resolved", "customer"]
        triggers = [updated_at_trigger()]
