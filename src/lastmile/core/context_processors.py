from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def lastmile(request: HttpRequest) -> dict[str, Any]:
    conf = settings.LASTMILE
    return {"sites_enabled": conf.sites_enabled, "demo_mode": conf.demo}
