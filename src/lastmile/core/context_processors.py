from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def lastmile(request: HttpRequest) -> dict[str, Any]:
    conf = settings.LASTMILE
    from lastmile.core.menu import menu_for

    user = getattr(request, "user", None)
    return {
        "sites_enabled": conf.sites_enabled,
        "demo_mode": conf.demo,
        # Lazy: pages without the menu (the cabinet, errors) pay nothing for it.
        "staff_menu": SimpleLazyObject(lambda: menu_for(user)),
    }
