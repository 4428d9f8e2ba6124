"""The staff navigation: groups of links that each app registers for itself.

An app adds its pages in ``AppConfig.ready()``::

    from lastmile.core.menu import MenuItem, register_menu

    register_menu("network", [
        MenuItem(_("Pools"), "network:pool_list", model="network.Pool"),
    ])

A link is shown only to a user who may view its ``model`` (or who holds the
``action`` on it), so nobody is offered a page that would answer 403; links
without a model are for every staff member, ``superuser_only`` ones for
administrators.  ``menu_for(user)`` gives the groups in a fixed order, empty
groups left out; the base template renders them as drop-downs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url_name: str  # a URL name, or a path starting with "/"
    model: str = ""  # "app_label.Model" whose permission the link needs
    action: str = "view"
    superuser_only: bool = False
    #: Extra condition on the settings (e.g. the sites dimension is on).
    when: Callable[[Any], bool] | None = None
    order: int = 100

    def url(self) -> str | None:
        if self.url_name.startswith("/"):
            return self.url_name
        try:
            return reverse(self.url_name)
        except NoReverseMatch:  # e.g. the admin site is off
            return None


@dataclass(frozen=True)
class MenuGroup:
    key: str
    label: str | Promise
    order: int


GROUPS: dict[str, MenuGroup] = {
    group.key: group
    for group in (
        MenuGroup("customers", _("Customers"), 10),
        MenuGroup("billing", _("Billing"), 20),
        MenuGroup("money", _("Money"), 30),
        MenuGroup("network", _("Network"), 40),
        MenuGroup("devices", _("Devices"), 50),
        MenuGroup("work", _("Work"), 60),
        MenuGroup("regulatory", _("Regulatory"), 70),
        MenuGroup("admin", _("Administration"), 90),
    )
}

_ITEMS: dict[str, list[MenuItem]] = {}


def register_menu(group: str, items: Iterable[MenuItem]) -> None:
    """Add links to a group (idempotent per URL name: a second call replaces)."""
    if group not in GROUPS:
        raise ValueError(f"unknown menu group {group!r}; one of {sorted(GROUPS)}")
    entries = _ITEMS.setdefault(group, [])
    for item in items:
        entries[:] = [e for e in entries if e.url_name != item.url_name]
        entries.append(item)
    entries.sort(key=lambda e: e.order)


def _visible(item: MenuItem, user: Any) -> bool:
    from lastmile.core.permissions import has_model_permission

    if item.superuser_only and not user.is_superuser:
        return False
    if item.when is not None and not item.when(user):
        return False
    if not item.model:
        return True
    return has_model_permission(user, apps.get_model(item.model), item.action)


@dataclass(frozen=True)
class ShownGroup:
    group: MenuGroup
    links: list[tuple[str | Promise, str]]  # (label, url)


def menu_for(user: Any) -> list[ShownGroup]:
    """The groups and links ``user`` may use, in menu order."""
    if not getattr(user, "is_authenticated", False):
        return []
    shown = []
    for group in sorted(GROUPS.values(), key=lambda g: g.order):
        links = []
        for item in _ITEMS.get(group.key, []):
            url = item.url() if _visible(item, user) else None
            if url:
                links.append((item.label, url))
        if links:
            shown.append(ShownGroup(group, links))
    return shown
