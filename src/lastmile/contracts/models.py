"""Contracts of customers and legal entities, their history and documents.

Data map (for the SORM export and the documents):

* ``Contract``
  - ``id``: SORM ``contract_id``; ``number``: SORM ``contract_number`` (≤ 64,
    unique per ``site``; NULL site = the installation's one namespace).
  - exactly one owner: ``customer`` (a subscriber account, individual or branch)
    or ``legal_entity`` (the organisation's own contract, whose dates branch
    contracts must match).
  - ``kind``: ``ContractKind`` main / iptv / equipment_rent / other.  SORM uses
    the ``main`` one (``Contract.objects.main_for(customer)``).
  - ``state``: ``ContractState`` draft / active / suspended / terminated;
    allowed moves in ``TRANSITIONS``; each move is a ``ContractEvent``.
  - ``signed_on``, ``starts_on`` (SORM ``contract_start_date``), ``ends_on``
    (SORM ``contract_end_date``; set when terminated).
  - ``title``: the document title ("Договор на оказание услуг связи").
  - ``access_address``: FK ``addresses.AddressObject``, the access point
    (falls back to the customer's ``address_object``: ``access_point()``).
* ``ContractEvent`` — append-only history: ``contract``, ``from_state``,
  ``to_state``, ``on_date`` (the business date), ``at`` (when recorded),
  ``actor``, ``reason``.
* ``DocumentTemplate`` — a staff-edited Django template (HTML) for a contract kind.
* ``ContractDocument`` — a rendered document: ``html``, ``pdf`` (bytes),
  ``sha256`` of the PDF, ``created_by``.
"""

from __future__ import annotations

from typing import Any

import pgtrigger
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lastmile.accounts.models import site_link, staff_link
from lastmile.core.models import RestrictedModel, TimestampedModel, updated_at_trigger
from lastmile.core.querysets import RestrictedQuerySet


class ContractKind(models.TextChoices):
    MAIN = "main", _("main (internet)")
    IPTV = "iptv", _("IPTV")
    EQUIPMENT_RENT = "equipment_rent", _("equipment rent")
    OTHER = "other", _("other")


class ContractState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("contract state", "draft")
    ACTIVE = "active", pgettext_lazy("contract state", "active")
    SUSPENDED = "suspended", pgettext_lazy("contract state", "suspended")
    TERMINATED = "terminated", pgettext_lazy("contract state", "terminated")


#: What the button that moves a contract into a state says.
STATE_ACTIONS = {
    "active": pgettext_lazy("contract action", "Activate"),
    "suspended": pgettext_lazy("contract action", "Suspend"),
    "terminated": pgettext_lazy("contract action", "Terminate"),
}


#: The allowed state changes (anything else is refused).  Terminated is final:
#: SORM keeps the contract's history, so a contract is never re-opened.
TRANSITIONS: dict[str, frozenset[str]] = {
    ContractState.DRAFT: frozenset({ContractState.ACTIVE, ContractState.TERMINATED}),
    ContractState.ACTIVE: frozenset({ContractState.SUSPENDED, ContractState.TERMINATED}),
    ContractState.SUSPENDED: frozenset({ContractState.ACTIVE, ContractState.TERMINATED}),
    ContractState.TERMINATED: frozenset(),
}


class ContractQuerySet(RestrictedQuerySet["Contract"]):
    def main_for(self, customer: Any) -> Contract | None:
        """The customer's main contract (the live one first, then the latest)."""
        return (
            self.filter(customer=customer, kind=ContractKind.MAIN)
            .order_by(
                models.Case(models.When(state=ContractState.TERMINATED, then=1), default=0),
                "-starts_on",
                "-pk",
            )
            .first()
        )


class Contract(TimestampedModel, RestrictedModel):
    """A contract with a customer account or with a legal entity.

    Under object permissions like every RestrictedModel (``ContractQuerySet``
    adds ``main_for``); a constraint such as ``{"site__slug": "north"}`` limits
    a staff member to the contracts of one site, checked in the services."""

    number = models.CharField(_("contract number"), max_length=64)
    site = site_link()
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    legal_entity = models.ForeignKey(
        "parties.LegalEntity",
        verbose_name=_("legal entity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ContractKind.choices, default=ContractKind.MAIN
    )
    state = models.CharField(
        _("state"), max_length=12, choices=ContractState.choices, default=ContractState.DRAFT
    )
    title = models.CharField(_("title"), max_length=255, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    access_address = models.ForeignKey(
        "addresses.AddressObject",
        verbose_name=_("access point address"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )

    objects = ContractQuerySet.as_manager()  # type: ignore[misc]  # a RestrictedQuerySet too

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-starts_on", "number"]
        triggers = [
            updated_at_trigger(),
            # SORM keys history on them: never deleted, number and start fixed,
            # and a terminated contract stays terminated.
            pgtrigger.Protect(name="contract_never_deleted", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="contract_number_start_fixed",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__number__df=pgtrigger.F("new__number"))
                | pgtrigger.Q(old__starts_on__df=pgtrigger.F("new__starts_on"))
                | pgtrigger.Q(old__state="terminated", new__state__df="terminated"),
            ),
        ]
        indexes = [models.Index(fields=["customer", "kind"], name="contract_customer_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "number"], name="contract_number_per_site", nulls_distinct=False
            ),
            models.CheckConstraint(
                condition=models.Q(customer__isnull=True, legal_entity__isnull=False)
                | models.Q(customer__isnull=False, legal_entity__isnull=True),
                name="contract_one_owner",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="contract_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="terminated") | models.Q(ends_on__isnull=False),
                name="contract_terminated_has_end",
            ),
            models.CheckConstraint(
                condition=~models.Q(number=""), name="contract_number_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def allowed_states(self) -> frozenset[str]:
        return TRANSITIONS[ContractState(self.state)]

    def access_point(self) -> Any:
        """The access point address: the contract's own, else the customer's."""
        if self.access_address_id:
            return self.access_address
        return self.customer.address_object if self.customer is not None else None


class ContractEvent(models.Model):
    """One state change of a contract (append-only)."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="events"
    )
    from_state = models.CharField(
        _("from"), max_length=12, choices=ContractState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=12, choices=ContractState.choices)
    on_date = models.DateField(_("date"))
    at = models.DateTimeField(_("recorded"), auto_now_add=True)
    actor = staff_link(_("by"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("contract event")
        verbose_name_plural = _("contract events")
        ordering = ["at", "pk"]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.from_state} → {self.to_state}"


class DocumentTemplate(TimestampedModel, RestrictedModel):
    """A contract document template staff edit (Django template syntax, HTML)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(
        _("contract kind"), max_length=16, choices=ContractKind.choices, default=ContractKind.MAIN
    )
    body = models.TextField(_("template"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["name"]
        triggers = [updated_at_trigger()]

    def __str__(self) -> str:
        return self.name


class ContractDocument(RestrictedModel):
    """A document rendered for a contract: its HTML, its PDF and the PDF's SHA-256."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="documents"
    )
    template = models.ForeignKey(
        DocumentTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    title = models.CharField(_("title"), max_length=255)
    html = models.TextField(editable=False)
    pdf = models.BinaryField(editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = staff_link(_("by"))

    class Meta:
        verbose_name = _("contract document")
        verbose_name_plural = _("contract documents")
        ordering = ["-created_at"]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="document_sha256_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.title
