"""System checks (``lastmile check``, and before ``migrate``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.staticfiles)
def static_files_collected(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Outside DEBUG, WhiteNoise serves only STATIC_ROOT: warn when a file the
    finders know is missing there, or older than its source (an upgrade
    without collectstatic), since pages would then load without it."""
    if settings.DEBUG:
        return []
    root = Path(settings.STATIC_ROOT)
    stale = []
    for finder in finders.get_finders():
        for name, storage in finder.list([]):
            collected = root / name
            source = Path(storage.path(name))
            if not collected.exists() or collected.stat().st_mtime < source.stat().st_mtime:
                stale.append(name)
    if not stale:
        return []
    shown = ", ".join(sorted(stale)[:5]) + (" …" if len(stale) > 5 else "")
    return [
        Warning(
            f"{len(stale)} static files are missing from or older in {root}: {shown}",
            hint="Run `lastmile collectstatic --noinput`, then restart the web server.",
            id="lastmile.W001",
        )
    ]
