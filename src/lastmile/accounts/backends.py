"""Authentication backend: Django's password check plus object permissions.

The backend also loads a user's object permissions (``load_object_permissions``),
which ``lastmile.core.permissions`` caches on the user object and turns into
queryset filters: one query per user object, however many querysets a request
restricts.

``user.has_perm("customers.change_customer")`` is true when an object
permission grants "change" on that model; with ``obj`` it is true only when
the object matches the permission's constraints.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.backends import ModelBackend
from django.db import models
from django.db.models import Q

from lastmile.accounts.models import ObjectPermission
from lastmile.core.permissions import PermissionMap, permission_filter


def _split(perm: str) -> tuple[type[models.Model], str] | None:
    try:
        app_label, codename = perm.split(".", 1)
        action, model_name = codename.split("_", 1)
        return apps.get_model(app_label, model_name), action
    except (ValueError, LookupError):
        return None


class ObjectPermissionBackend(ModelBackend):
    def load_object_permissions(self, user_obj: Any) -> PermissionMap:
        """The enabled object permissions of the user, direct and through groups."""
        result: PermissionMap = {}
        perms = (
            ObjectPermission.objects.filter(is_enabled=True)
            .filter(Q(users=user_obj) | Q(groups__user=user_obj))
            .distinct()
            .prefetch_related("object_types")
        )
        for perm in perms:
            for ct in perm.object_types.all():
                by_action = result.setdefault((ct.app_label, ct.model), {})
                for action in perm.actions:
                    by_action.setdefault(action, []).append(perm.constraints)
        return result

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not user_obj.is_active:
            return False
        if user_obj.is_superuser:
            return True
        parsed = _split(perm)
        if parsed is None:
            return False
        model, action = parsed
        condition = permission_filter(user_obj, model, action)
        if condition is None:
            return False
        if obj is None:
            return True
        return model._default_manager.filter(condition, pk=obj.pk).exists()

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return bool(user_obj.is_active and user_obj.is_superuser)
