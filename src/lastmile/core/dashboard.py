"""Dashboard cards.  Each app adds its cards here as it is built."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.accounts.models import AuthEvent, Site, User


def dashboard_cards(user: Any) -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = []
    if user.is_superuser:
        cards.append(
            {
                "title": _("Staff"),
                "value": User.objects.filter(is_active=True).count(),
                "url": "/admin/accounts/user/" if settings.LASTMILE.admin_enabled else "",
            }
        )
        cards.append(
            {
                "title": _("Failed logins (24 h)"),
                "value": AuthEvent.objects.filter(
                    kind=AuthEvent.Kind.LOGIN_FAILED,
                    created_at__gte=timezone.now() - timedelta(days=1),
                ).count(),
                "url": reverse("accounts:auth_events"),
            }
        )
    if settings.LASTMILE.sites_enabled:
        cards.append(
            {
                "title": _("Sites"),
                "value": Site.objects.restrict(user, "view").count(),
                "url": reverse("accounts:site_list"),
            }
        )
    return cards
