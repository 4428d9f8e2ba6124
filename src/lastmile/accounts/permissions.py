"""Object permissions for the apps: re-exported from ``lastmile.core.permissions``
(the pure constraint-to-filter half). The loading half lives in the
authentication backend, ``lastmile.accounts.backends``."""

from __future__ import annotations

from lastmile.core.permissions import (
    PermissionMap,
    has_model_permission,
    may_act_on,
    permission_filter,
    require_model_permission,
    require_object_permission,
)

__all__ = [
    "PermissionMap",
    "has_model_permission",
    "may_act_on",
    "permission_filter",
    "require_model_permission",
    "require_object_permission",
]
