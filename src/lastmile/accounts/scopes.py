"""Scopes of staff API tokens: what a token may do, within its user's rights.

A scope is ``"*"`` (everything the user may do: every token made before
scopes existed has it), ``"<area>:read"`` (GET/HEAD/OPTIONS) or
``"<area>:write"`` (any method; write includes read).  An area is the first
path segment under /api/v1/ (``/api/v1/finance/…`` → ``finance``); an area
not listed here is reachable with ``"*"`` only, so a new router fails closed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

FULL = "*"
READ = "read"
WRITE = "write"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

AREAS = {
    "accounts": _("Staff accounts, tokens and sites"),
    "customers": _("Customers"),
    "finance": _("Payments and ledger"),
    "billing": _("Tariffs and subscriptions"),
    "network": _("Network: pools, leases, NAS"),
    "aaa": _("RADIUS sessions"),
    "tasks": _("Tickets"),  # the API path /api/v1/tasks/ (ADR 0008: kept)
    "notifications": _("Notifications"),
    "devices": _("Devices: switches, OLTs, ONUs"),
    "parties": _("Passports and legal entities"),
    "contracts": _("Contracts and documents"),
    "addresses": _("Address registry"),
}


def choices() -> list[tuple[str, str]]:
    """(value, label) of every scope, for forms."""
    out = [(FULL, str(_("Full access (everything your account may do)")))]
    for area, label in AREAS.items():
        out.append((f"{area}:{READ}", f"{label}: {_('read')}"))
        out.append((f"{area}:{WRITE}", f"{label}: {_('read and write')}"))
    return out


def invalid_scopes(scopes: Iterable[str]) -> list[str]:
    """The scopes in ``scopes`` that are not ``*`` or ``<known area>:read|write``."""
    valid = {value for value, _label in choices()}
    return [scope for scope in scopes if scope not in valid]


def allows(scopes: Iterable[str], *, area: str, method: str) -> bool:
    """Whether a token with ``scopes`` may call ``method`` on ``area``."""
    granted = set(scopes)
    if FULL in granted or f"{area}:{WRITE}" in granted:
        return True
    return method.upper() in SAFE_METHODS and f"{area}:{READ}" in granted


def covers(held: Iterable[str], wanted: Iterable[str]) -> bool:
    """Whether a token holding ``held`` may create one with ``wanted`` (no widening)."""
    held_set = set(held)
    if FULL in held_set:
        return True
    for scope in wanted:
        if scope == FULL:
            return False
        area, _sep, access = scope.partition(":")
        if not allows(held_set, area=area, method="GET" if access == READ else "POST"):
            return False
    return True
