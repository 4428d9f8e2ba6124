"""Object permissions as one queryset method (NetBox's pattern).

Every list, table, API endpoint and export starts from
``Model.objects.restrict(user, "view")``; no view writes its own ownership
check.  A superuser sees everything; anyone else sees the union of the
objects their object permissions grant for that action.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from lastmile.core.permissions import permission_filter

_M = TypeVar("_M", bound=models.Model)

ACTIONS = ("view", "add", "change", "delete")


class RestrictedQuerySet(models.QuerySet[_M]):
    def restrict(self, user: Any, action: str = "view") -> RestrictedQuerySet[_M]:
        """Only the objects ``user`` may perform ``action`` on."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        condition = permission_filter(user, self.model, action)
        if condition is None:
            return self.none()
        return self.filter(condition)
