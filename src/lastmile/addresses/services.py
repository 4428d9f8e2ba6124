"""Use cases of the address registry: staff create and change objects.

Each function is one transaction, checks the acting user's permission on the
object and raises an ``addresses.errors`` error shown next to its field.
Changes are journaled by pghistory (``AddressObjectEvent``) with the request's
user, and shown on the object's history page.

The SORM type code (SOCRBASE, ``socrbase``) is chosen, not typed: a region,
district, locality or street takes one of the codes of its level, and its
short and full type names come from that code.  A new object of those levels
cannot be saved without one; an existing object without a code (imported,
or from before the codes) may still be edited while staff look for its type,
and stays on the SORM data-gaps list until it has one.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import structlog
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lastmile.addresses import socrbase
from lastmile.addresses.errors import AddressTaken, InvalidAddress
from lastmile.addresses.models import LEVEL_ORDER, AddressObject, Level
from lastmile.core.permissions import require_object_permission

log = structlog.get_logger(__name__)

FIELDS = (
    "parent",
    "level",
    "type_code",
    "type_short",
    "type_name",
    "name",
    "building",
    "structure",
    "letter",
    "postcode",
    "latitude",
    "longitude",
    "fias_guid",
    "gar_object_id",
    "is_active",
)
TEXT_FIELDS = ("type_short", "type_name", "name", "building", "structure", "letter", "postcode")


def needs_type_code(level: str) -> bool:
    """Whether objects of ``level`` go to SORM's address-objects file (and so
    need a SOCRBASE code): regions, districts, localities and streets."""
    return level in socrbase.LEVELS


def _check_place(values: dict[str, Any], obj: AddressObject) -> None:
    level, parent = values["level"], values["parent"]
    if level not in LEVEL_ORDER:
        raise InvalidAddress(_("Choose a level."), field="level")
    if level == Level.REGION:
        if parent is not None:
            raise InvalidAddress(_("A region has no parent."), field="parent")
        return
    if parent is None:
        raise InvalidAddress(_("Choose the object this one is inside."), field="parent")
    if LEVEL_ORDER.index(parent.level) > LEVEL_ORDER.index(level):
        raise InvalidAddress(
            _("A %(level)s cannot be inside a %(parent)s.")
            % {"level": Level(level).label, "parent": Level(parent.level).label},
            field="parent",
        )
    if obj.pk is not None and any(node.pk == obj.pk for node in parent.ancestors()):
        raise InvalidAddress(_("An object cannot be inside itself."), field="parent")


def _check_type(values: dict[str, Any], obj: AddressObject) -> None:
    level, code = values["level"], values["type_code"]
    if not needs_type_code(level):
        values["type_code"] = None
        return
    if code is None:
        if obj.pk is None or obj.type_code is not None:
            raise InvalidAddress(
                _("Choose the SOCRBASE type: SORM refuses an address object without one."),
                field="type_code",
            )
        return  # still without a code: it stays on the data-gaps list
    found = socrbase.by_code(code)
    if found is None or found.level not in socrbase.LEVELS[level]:
        raise InvalidAddress(
            _("This type is not one of the %(level)s types.") % {"level": Level(level).label},
            field="type_code",
        )
    values["type_short"], values["type_name"] = found.short, found.name


def _check_values(values: dict[str, Any]) -> None:
    if not values["name"]:
        raise InvalidAddress(_("This field is required."), field="name")
    postcode = values["postcode"]
    if postcode and not (len(postcode) == 6 and postcode.isdigit()):
        raise InvalidAddress(_("A postcode is 6 digits."), field="postcode")
    for name, limit in (("latitude", 90), ("longitude", 180)):
        value = values[name]
        if value is not None and not (-limit <= Decimal(value) <= limit):
            raise InvalidAddress(
                _("Must be between -%(limit)s and %(limit)s degrees.") % {"limit": limit},
                field=name,
            )
    if (values["latitude"] is None) != (values["longitude"] is None):
        raise InvalidAddress(_("Give both coordinates or neither."), field="longitude")


def _check_ids(values: dict[str, Any], obj: AddressObject) -> None:
    others = AddressObject.objects.exclude(pk=obj.pk) if obj.pk else AddressObject.objects.all()
    for name, message in (
        ("fias_guid", _("Another object already has this FIAS/GAR GUID.")),
        ("gar_object_id", _("Another object already has this GAR object id.")),
    ):
        if values[name] is not None and others.filter(**{name: values[name]}).exists():
            raise AddressTaken(message, field=name)


def _clean(obj: AddressObject, changes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise InvalidAddress(
            _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    values = {name: getattr(obj, name) for name in FIELDS} | dict(changes)
    for name in TEXT_FIELDS:
        values[name] = " ".join(str(values[name] or "").split())
    _check_place(values, obj)
    _check_type(values, obj)
    _check_values(values)
    _check_ids(values, obj)
    return values


def _save(obj: AddressObject, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(obj, name, value)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:  # a concurrent save took a GUID or id
        raise AddressTaken(_("Another object already has this FIAS/GAR id.")) from exc


@transaction.atomic
def create_address_object(*, actor: Any = None, **values: Any) -> AddressObject:
    """Add an object to the registry under ``parent`` (none for a region)."""
    obj = AddressObject(level=values.get("level", ""), is_active=True)
    cleaned = _clean(obj, values)
    _save(obj, cleaned)
    require_object_permission(actor, obj, "add")
    log.info("address.created", address_id=obj.pk, level=obj.level, type_code=obj.type_code)
    return obj


@transaction.atomic
def update_address_object(
    *, address_object: AddressObject, changes: Mapping[str, Any], actor: Any = None
) -> AddressObject:
    """Change an object: its place, type, name, ids, postcode or coordinates."""
    require_object_permission(actor, address_object, "change")
    cleaned = _clean(address_object, changes)
    _save(address_object, cleaned)
    require_object_permission(actor, address_object, "change")
    log.info("address.changed", address_id=address_object.pk, type_code=address_object.type_code)
    return address_object
