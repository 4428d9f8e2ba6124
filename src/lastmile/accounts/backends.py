"""Authentication backend: Django's password check plus object permissions.

``user.has_perm("customers.change_customer")`` is true when an object
permission grants "change" on that model; with ``obj`` it is true only when
the object matches the permission's constraints.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.backends import ModelBackend
from django.db import models

from lastmile.accounts.permissions import permission_filter


def _split(perm: str) -> tuple[type[models.Model], str] | None:
    try:
        app_label, codename = perm.split(".", 1)
        action, model_name = codename.split("_", 1)
        return apps.get_model(app_label, model_name), action
    except (ValueError, LookupError):
        return None


class ObjectPermissionBackend(ModelBackend):
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
        return user_obj.is_active and user_obj.is_superuser
