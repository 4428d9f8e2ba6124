"""Object permissions as queryset filters: the pure half (NetBox's pattern).

A user's object permissions (direct and through groups) are loaded once per user
object by the authentication backend (``lastmile.accounts.backends``, method
``load_object_permissions``) and cached on the user. This module turns that cache
into ``Q`` filters; it reaches the backend through Django's auth API, so core
does not import the accounts app (which builds on core).
"""

from __future__ import annotations

from functools import reduce
from operator import and_, or_
from typing import Any

from django.contrib import auth
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q, Subquery
from django.utils.translation import gettext as _

#: The attribute of a user object that holds its object permissions.
CACHE_ATTR = "_lastmile_object_permissions"

# (app_label, model) -> action -> list of constraint sets (None = unrestricted)
PermissionMap = dict[tuple[str, str], dict[str, list[Any]]]


def object_permissions(user: Any) -> PermissionMap:
    """The user's object permissions, loaded by the first authentication backend
    that can (once per user object)."""
    cached: PermissionMap | None = getattr(user, CACHE_ATTR, None)
    if cached is not None:
        return cached
    result: PermissionMap = {}
    for backend in auth.get_backends():
        load = getattr(backend, "load_object_permissions", None)
        if load is not None:
            result = load(user)
            break
    setattr(user, CACHE_ATTR, result)
    return result


def _substitute(value: Any, user: Any) -> Any:
    if value == "$user":
        return user.pk
    if value == "$site":
        return getattr(user, "site_id", None)
    if isinstance(value, list):
        return [_substitute(v, user) for v in value]
    return value


def _lookup_q(model: type[models.Model], key: str, value: Any) -> Q:
    """One constraint lookup as a Q.

    ``fk__unique_field=value`` (``site__slug``, ``group__name``) becomes
    ``fk_id = (SELECT id … WHERE unique_field = value)``: the same rows, but
    the condition is on the indexed column of the model itself.  As a join,
    PostgreSQL cannot know which site the rows belong to: it reads the whole
    table and sorts; with the scalar subquery it walks an index such as
    (site, natural login order) and stops after the page.
    """
    parts = key.split("__")
    if parts[-1] == "exact":
        parts = parts[:-1]
    if len(parts) != 2 or value is None or isinstance(value, list | dict):
        return Q(**{key: value})
    try:
        field = model._meta.get_field(parts[0])
        if not isinstance(field, models.ForeignKey) or not field.target_field.primary_key:
            return Q(**{key: value})
        related: type[models.Model] = field.related_model  # type: ignore[assignment]
        target = related._meta.get_field(parts[1])
    except FieldDoesNotExist:
        return Q(**{key: value})
    if getattr(target, "primary_key", False):
        return Q(**{parts[0]: value})
    if not getattr(target, "unique", False):
        return Q(**{key: value})
    matching = related._base_manager.filter(**{parts[1]: value}).values("pk")[:1]
    return Q(**{parts[0]: Subquery(matching)})


def _constraint_q(constraints: Any, user: Any, model: type[models.Model]) -> Q:
    """One permission's constraints as a Q: a dict is AND, a list of dicts is OR."""
    if not constraints:
        return Q()
    if isinstance(constraints, dict):
        lookups = [
            _lookup_q(model, key, _substitute(value, user)) for key, value in constraints.items()
        ]
        return reduce(and_, lookups)
    return reduce(or_, (_constraint_q(c, user, model) for c in constraints), Q(pk__in=[]))


def permission_filter(user: Any, model: type[models.Model], action: str) -> Q | None:
    """The filter selecting what ``user`` may ``action`` on ``model``; None = nothing."""
    meta = model._meta.concrete_model._meta if model._meta.proxy else model._meta  # type: ignore[union-attr]
    grants = object_permissions(user).get((meta.app_label, meta.model_name or ""), {}).get(action)
    if not grants:
        return None
    return grants_filter(grants, user, meta.concrete_model or model)


def grants_filter(grants: list[Any], user: Any, model: type[models.Model]) -> Q:
    """The filter of a non-empty list of permission constraint sets granted to
    ``user`` (an empty set grants every object: ``Q()``)."""
    if any(not c for c in grants):
        return Q()
    return reduce(or_, (_constraint_q(c, user, model) for c in grants))


def has_model_permission(user: Any, model: type[models.Model], action: str) -> bool:
    """Whether the user may ``action`` at least some objects of ``model``."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return permission_filter(user, model, action) is not None


def require_model_permission(user: Any, model: type[models.Model], action: str) -> None:
    """Raise PermissionDenied (with a message saying what to do) unless the user
    may ``action`` at least some objects of ``model``."""
    if not has_model_permission(user, model, action):
        raise PermissionDenied(
            _("You are not allowed to do this. Ask an administrator for a permission.")
        )


def is_staff_user(actor: Any) -> bool:
    """Whether ``actor`` is a staff user (not None, a gateway label or a subscriber)."""
    return isinstance(actor, auth.get_user_model())


def may_act_on(user: Any, instance: models.Model, action: str) -> bool:
    """Whether ``user`` may ``action`` this very object (its constraints applied)."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    model = type(instance)
    condition = permission_filter(user, model, action)
    if condition is None:
        return False
    if not condition:  # an unconstrained grant
        return True
    return model._default_manager.filter(condition, pk=instance.pk).exists()


def require_object_permission(actor: Any, instance: models.Model, action: str) -> None:
    """The service-layer check of every write: raise PermissionDenied unless the
    acting staff user may ``action`` this object under their constraints.

    Other actors (None for the system and the billing run, a gateway's label, a
    subscriber in the cabinet, who is limited to their own account elsewhere)
    are not staff permissions' business and pass.  For ``add`` call it once the
    new row exists inside the service's transaction: a refusal rolls it back,
    so a constraint such as ``customer__group__slug`` is checked on the row the
    database would keep, whatever the caller (UI, API, a script).
    """
    if not is_staff_user(actor) or may_act_on(actor, instance, action):
        return
    raise PermissionDenied(
        _("You are not allowed to do this. Ask an administrator for a permission.")
    )
