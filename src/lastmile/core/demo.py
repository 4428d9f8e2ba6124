"""Deterministic demo data.  Each app adds its part as it is built."""

from __future__ import annotations

from lastmile.accounts.models import Site, User

DEMO_STAFF = [
    # username, password, superuser, first name
    ("admin", "admin", True, "Admin"),
]
DEMO_SITES = [("North", "north"), ("South", "south")]


def load_demo_data(*, customers: int, seed: int) -> list[str]:
    """Create (or refresh) the demo staff and sites; return summary lines.

    Idempotent: running it again resets the demo passwords and adds nothing twice.
    """
    summary = []
    for username, password, is_superuser, first_name in DEMO_STAFF:
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first_name})
        user.is_superuser = is_superuser
        user.is_staff = is_superuser
        user.is_active = True
        user.set_password(password)
        user.save()
        summary.append(f"staff {username} / {password}")
    for name, slug in DEMO_SITES:
        Site.objects.get_or_create(slug=slug, defaults={"name": name})
    summary.append(f"sites: {', '.join(slug for _, slug in DEMO_SITES)}")
    return summary
