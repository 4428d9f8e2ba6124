"""The address registry: region → district → locality → street → house → apartment.

Data map (for the SORM export and anyone reading addresses):

* ``AddressObject`` — one node of the tree, every level in one table.
  - ``id``: the internal key; SORM ``address_id`` / ``parent_id`` use it (not the GUID).
  - ``parent``: the node above (NULL for a region).
  - ``level``: ``Level`` (region, district, locality, street, house, apartment).
  - ``gar_level``: the GAR/FIAS level number (1 region … 8 street, 10 house, 11
    apartment), kept as imported; NULL for objects staff entered.
  - ``type_short`` / ``type_name``: "ул" / "улица", "г" / "город", "д" / "дом".
  - ``type_code``: the SOCRBASE type code (``socrbase``: "г" region 103, "ул"
    street 729) SORM's address-objects file sends; filled from the level and
    ``type_short`` on save and on GAR import when not chosen; NULL when the
    type is not in the table (the data-gaps report lists those).
  - ``name``: the name ("Ленина", "Москва"); for a house the house number
    ("12"), for an apartment its number ("5").
  - ``building`` (корпус), ``structure`` (строение), ``letter`` (литера): house parts.
  - ``fias_guid``: the GAR OBJECTGUID (UUID) when known; ``gar_object_id``: GAR OBJECTID.
  - ``postcode``: 6 digits or empty; ``latitude`` / ``longitude``: WGS-84 or NULL.
  - ``is_active``: False for objects GAR has retired (kept: contracts may point at them).
  - ``full_name()``: "Москва г, Ленина ул, д. 12 к. 1, кв. 5" from the ancestors.
  - ``ancestor(level)``: the nearest ancestor (or self) of a level, e.g. the street.
* ``GarImport`` — one import run of a GAR extract: file, state, counters, error.
"""

from __future__ import annotations

from typing import Any

import pghistory
from django.db import models
from django.utils.translation import gettext_lazy as _

from lastmile.addresses import socrbase
from lastmile.core.models import RestrictedModel, TimestampedModel, updated_at_trigger


class Level(models.TextChoices):
    REGION = "region", _("region")
    DISTRICT = "district", _("district")
    LOCALITY = "locality", _("locality")
    STREET = "street", _("street")
    HOUSE = "house", _("house")
    APARTMENT = "apartment", _("apartment or office")


#: Level order from the top; a child is always below its parent.
LEVEL_ORDER = [choice.value for choice in Level]


def socrbase_code(level: str, type_short: str) -> int | None:
    found = socrbase.lookup(level, type_short)
    return found.code if found else None


@pghistory.track(
    # Staff entries and edits are journaled; a GAR import writes with these
    # triggers ignored (its ``GarImport`` row is the record of what it did).
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    exclude=["updated_at", "gar_parent_id"],
)
class AddressObject(TimestampedModel, RestrictedModel):
    """One node of the address tree (any level)."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    gar_level = models.PositiveSmallIntegerField(_("GAR level"), null=True, blank=True)
    type_short = models.CharField(_("type (short)"), max_length=20, blank=True)
    type_name = models.CharField(_("type"), max_length=60, blank=True)
    type_code = models.PositiveSmallIntegerField(_("SOCRBASE type code"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=255)
    building = models.CharField(_("building"), max_length=20, blank=True)
    structure = models.CharField(_("structure"), max_length=20, blank=True)
    letter = models.CharField(_("letter"), max_length=10, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    fias_guid = models.UUIDField(_("FIAS/GAR GUID"), null=True, blank=True, unique=True)
    gar_object_id = models.BigIntegerField(_("GAR object id"), null=True, blank=True, unique=True)
    # The GAR parent while an import runs (the hierarchy file comes after the objects).
    gar_parent_id = models.BigIntegerField(null=True, blank=True, editable=False, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("address object")
        verbose_name_plural = _("address objects")
        ordering = ["level", "name"]
        triggers = [updated_at_trigger()]
        indexes = [
            models.Index(fields=["parent", "level", "name"], name="address_parent_level_name"),
            models.Index(fields=["level", "name"], name="address_level_name"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="address_name_not_empty"),
            models.CheckConstraint(
                condition=models.Q(postcode="") | models.Q(postcode__regex=r"^[0-9]{6}$"),
                name="address_postcode_6_digits",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="address_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.label()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.type_code is None:
            self.type_code = socrbase_code(self.level, self.type_short)
        super().save(*args, **kwargs)

    def label(self) -> str:
        """This node alone: "ул Ленина", "д. 12 к. 1 лит. А", "кв. 5"."""
        if self.level == Level.HOUSE:
            text = f"{self.type_short or 'д.'} {self.name}"
            if self.building:
                text += f" к. {self.building}"
            if self.structure:
                text += f" стр. {self.structure}"
            if self.letter:
                text += f" лит. {self.letter}"
            return text
        if self.level == Level.APARTMENT:
            return f"{self.type_short or 'кв.'} {self.name}"
        return f"{self.type_short} {self.name}".strip()

    def ancestors(self) -> list[AddressObject]:
        """From the region down to this node (one query per level; the tree is shallow)."""
        chain: list[AddressObject] = []
        node: AddressObject | None = self
        while node is not None and len(chain) < 20:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def full_name(self) -> str:
        return ", ".join(node.label() for node in self.ancestors())

    def ancestor(self, level: str) -> AddressObject | None:
        """The nearest node of ``level`` at or above this one."""
        for node in reversed(self.ancestors()):
            if node.level == level:
                return node
        return None


class GarImport(TimestampedModel, RestrictedModel):
    """One run of ``lastmile import-gar`` (what it read and how it ended)."""

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    source = models.CharField(_("source"), max_length=500)
    region_code = models.CharField(_("region code"), max_length=4, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RUNNING
    )
    objects_read = models.PositiveIntegerField(_("objects read"), default=0)
    objects_saved = models.PositiveIntegerField(_("objects saved"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("GAR import")
        verbose_name_plural = _("GAR imports")
        ordering = ["-created_at"]
        triggers = [updated_at_trigger()]

    def __str__(self) -> str:
        return self.source
