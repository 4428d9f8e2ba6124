"""Demo notification data: the default templates (en + ru), idempotently."""

from __future__ import annotations

from lastmile.notifications.defaults import install_default_templates
from lastmile.notifications.models import NotificationTemplate


def load_demo(*, customers: int, seed: int) -> list[str]:
    created = install_default_templates(NotificationTemplate)
    total = NotificationTemplate.objects.count()
    return [f"notification templates: {total} ({created} new)"]
