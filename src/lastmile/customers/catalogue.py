"""Use cases of customer groups and extra field definitions (the values a
customer holds are set by ``customers.services.set_extra_values``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import structlog
from django.db import transaction
from django.utils.translation import gettext as _

from lastmile.accounts.models import Site
from lastmile.core.actor import Actor
from lastmile.customers import validation
from lastmile.customers.errors import (
    AlreadyExists,
    InvalidValue,
)
from lastmile.customers.models import CustomerGroup, ExtraField, ExtraFieldValue
from lastmile.customers.writes import (
    _check_allowed,
    _check_site,
    _insert,
    _same,
    _save_changes,
    _unknown,
)

log = structlog.get_logger("lastmile.customers")

GROUP_FIELDS = ("name", "site", "description")
EXTRA_FIELD_FIELDS = ("name", "kind", "group", "choices", "is_required", "position")


# --- customer groups -----------------------------------------------------------
def _check_group_name(group: CustomerGroup, name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidValue(_("The group needs a name."), field="name")
    if CustomerGroup.objects.exclude(pk=group.pk).filter(name__iexact=name).exists():
        raise AlreadyExists(
            _("A group named “%(name)s” already exists.") % {"name": name}, field="name"
        )
    return name


@transaction.atomic
def create_group(
    *, name: str, site: Site | None = None, description: str = "", actor: Actor | None = None
) -> CustomerGroup:
    """Create a customer group (names are unique, case-insensitively)."""
    _check_site(site)
    group = CustomerGroup(site=site, description=description.strip())
    group.name = _check_group_name(group, name)
    _insert(group, taken=_("A group with this name already exists."), field="name")
    _check_allowed(group, actor, "add")
    log.info("customer_group.created", group_id=group.pk)
    return group


@transaction.atomic
def update_group(
    *, group: CustomerGroup, changes: Mapping[str, Any], actor: Actor | None = None
) -> list[str]:
    """Change the given fields of a group; return the names of those that changed."""
    _unknown(changes, GROUP_FIELDS)
    values = dict(changes)
    if "name" in values:
        values["name"] = _check_group_name(group, values["name"])
    if "site" in values and not _same(group, "site", values["site"]):
        _check_site(values["site"])
    if "description" in values:
        values["description"] = values["description"].strip()
    return _save_changes(group, values, actor=actor)


# --- extra field definitions ---------------------------------------------------
def _check_extra_field(field: ExtraField, values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    name = values.get("name", field.name).strip()
    if not name:
        raise InvalidValue(_("The field needs a name."), field="name")
    group = values.get("group", field.group)
    same_name = ExtraField.objects.exclude(pk=field.pk).filter(name__iexact=name, group=group)
    if same_name.exists():
        raise AlreadyExists(
            _("This group already has a field named “%(name)s”.") % {"name": name}, field="name"
        )
    kind = values.get("kind", field.kind)
    if kind not in ExtraField.Kind.values:
        raise InvalidValue(_("Unknown field type “%(kind)s”.") % {"kind": kind}, field="kind")
    cleaned["name"] = name
    # A field that stops being a choice field drops its choices.
    default_choices = field.choices if kind == ExtraField.Kind.CHOICE else []
    cleaned["choices"] = validation.clean_choices(kind, values.get("choices", default_choices))
    return cleaned


def _check_existing_values(field: ExtraField) -> None:
    """After a change of type, choices or group, every stored value must still fit."""
    values = ExtraFieldValue.objects.filter(field=field).select_related("customer")
    for value in values.iterator(chunk_size=2000):
        if field.group_id is not None and value.customer.group_id != field.group_id:
            raise InvalidValue(
                _("Customer %(login)s outside the group has a value of this field; clear it first.")
                % {"login": value.customer.login},
                field="group",
            )
        try:
            validation.clean_extra_value(field, value.value)
        except InvalidValue as exc:
            raise InvalidValue(
                _("A stored value does not fit the new definition (customer %(login)s): %(error)s")
                % {"login": value.customer.login, "error": exc},
                field="kind",
            ) from exc


@transaction.atomic
def create_extra_field(
    *,
    name: str,
    kind: str = ExtraField.Kind.TEXT,
    group: CustomerGroup | None = None,
    choices: Iterable[str] = (),
    is_required: bool = False,
    position: int = 0,
    actor: Actor | None = None,
) -> ExtraField:
    """Define an extra field for one customer group (``group=None``: every group)."""
    field = ExtraField(group=group, kind=kind, is_required=is_required, position=position)
    values = _check_extra_field(field, {"name": name, "kind": kind, "choices": list(choices)})
    field.name, field.choices = values["name"], values["choices"]
    _insert(field, taken=_("This group already has a field with this name."), field="name")
    _check_allowed(field, actor, "add")
    log.info("extra_field.created", extra_field_id=field.pk, kind=kind)
    return field


@transaction.atomic
def update_extra_field(
    *, field: ExtraField, changes: Mapping[str, Any], actor: Actor | None = None
) -> list[str]:
    """Change a field definition; refused when stored values would no longer fit."""
    _unknown(changes, EXTRA_FIELD_FIELDS)
    values = _check_extra_field(field, changes)
    changed = _save_changes(field, values, actor=actor)
    if {"kind", "choices", "group"} & set(changed):
        _check_existing_values(field)
    return changed
