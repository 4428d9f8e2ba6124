"""Guard rail: every file a template names with ``{% static %}`` is found by
Django's static finders, so ``collectstatic`` copies it and WhiteNoise serves it."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.utils import get_app_template_dirs

# A literal ``{% static "…" %}``, or the stylesheet a layout hands to the
# shared head (``{% include "core/page_head.html" with stylesheet="…" %}``).
STATIC_TAG = re.compile(r"""(?:{%\s*static\s+|\bstylesheet=)(['"])(?P<name>[^'"]+)\1""")


def _templates() -> list[Path]:
    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine["DIRS"]]  # type: ignore[attr-defined]
    dirs += [Path(d) for d in get_app_template_dirs("templates")]
    lastmile = Path(settings.BASE_DIR)
    return [
        path
        for directory in dirs
        if directory.is_relative_to(lastmile)  # our templates, not third-party ones
        for path in directory.rglob("*.html")
    ]


def _static_names() -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for template in _templates():
        for match in STATIC_TAG.finditer(template.read_text()):
            names.setdefault(match["name"], []).append(str(template))
    return names


def test_every_static_file_a_template_names_is_found():
    names = _static_names()
    # The staff layout's stylesheet and htmx are among them (the scan works).
    assert {"lastmile/lastmile.css", "vendor/htmx.min.js", "cabinet/cabinet.css"} <= set(names)
    missing = {name: where for name, where in names.items() if finders.find(name) is None}
    assert not missing, f"static files no finder knows: {missing}"


def test_whitenoise_serves_only_collected_files_outside_debug():
    # Production serves what collectstatic put under STATIC_ROOT, compressed.
    assert not settings.DEBUG
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
    assert settings.STORAGES["staticfiles"]["BACKEND"].startswith("whitenoise.storage.")
    assert not getattr(settings, "WHITENOISE_USE_FINDERS", settings.DEBUG)
