"""Deterministic demo data (design.md section 6).

Each app contributes a ``demo.py`` with ``load_demo(*, customers, seed)``
returning summary lines; they run in the order of ``DEMO_LOADERS``.
"""

from __future__ import annotations

from importlib import import_module

from lastmile.accounts.models import Site, User

DEMO_STAFF = [
    # username, password, superuser, first name
    ("admin", "admin", True, "Admin"),
]
DEMO_SITES = [("North", "north"), ("South", "south")]

# Modules with a load_demo(*, customers, seed) -> list[str]; order matters
# (tariffs before customers' subscriptions, customers before tickets).
DEMO_LOADERS = [
    "lastmile.customers.demo",
    "lastmile.contracts.demo",
    "lastmile.subscriptions.demo",
    "lastmile.finance.demo",
    "lastmile.finance.gateways.demo",
    "lastmile.network.demo",
    "lastmile.devices.demo",
    "lastmile.tickets.demo",
    "lastmile.notifications.demo",
]


def _load_staff_and_sites() -> list[str]:
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


def load_demo_data(*, customers: int, seed: int) -> list[str]:
    """Create (or refresh) all demo data; return summary lines.

    Idempotent: running it again resets the demo passwords and adds nothing twice.
    """
    summary = _load_staff_and_sites()
    for module_name in DEMO_LOADERS:
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        summary.extend(module.load_demo(customers=customers, seed=seed))
    return summary
