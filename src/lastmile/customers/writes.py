"""The write helpers every customers service shares: the permission check on
the saved row, the site switch, column-wise updates and unique inserts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from lastmile.accounts.models import Site
from lastmile.core.actor import Actor
from lastmile.customers.errors import (
    AlreadyExists,
    InvalidValue,
    NotAllowed,
)

_M = TypeVar("_M", bound=models.Model)


def _check_allowed(obj: models.Model, actor: Actor | None, action: str) -> None:
    """The object (as saved in this transaction) must be within the actor's permission."""
    if actor is None:
        return
    manager = type(obj)._default_manager
    if not manager.restrict(actor, action).filter(pk=obj.pk).exists():  # type: ignore[attr-defined]
        raise NotAllowed()


def _check_site(site: Site | None) -> None:
    if site is not None and not settings.LASTMILE.sites_enabled:
        raise InvalidValue(
            _("Sites are disabled on this installation (LASTMILE_SITES_ENABLED)."), field="site"
        )


def _same(obj: models.Model, name: str, value: Any) -> bool:
    field = obj._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        return bool(getattr(obj, field.attname) == (value.pk if value is not None else None))
    return bool(getattr(obj, name) == value)


def _save_changes(obj: _M, changes: Mapping[str, Any], *, actor: Actor | None) -> list[str]:
    """Set and save only the fields whose value differs; return their names.

    The caller is inside a transaction; on an error the in-memory object is
    restored, so a form can be shown again with the old values.
    """
    changed = [name for name, value in changes.items() if not _same(obj, name, value)]
    if not changed:
        return []
    before = {name: getattr(obj, name) for name in changed}
    for name in changed:
        setattr(obj, name, changes[name])
    try:
        with transaction.atomic():
            obj.save(update_fields=changed)
            _check_allowed(obj, actor, "change")
    except BaseException:
        for name, value in before.items():
            setattr(obj, name, value)
        raise
    obj.refresh_from_db(fields=["updated_at"])
    return changed


def _unknown(changes: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"cannot change {', '.join(sorted(unknown))}")


def _insert(obj: models.Model, *, taken: str, field: str) -> None:
    """Insert ``obj``; a unique violation the pre-check missed (a race) is AlreadyExists."""
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError as exc:
        raise AlreadyExists(taken, field=field) from exc
