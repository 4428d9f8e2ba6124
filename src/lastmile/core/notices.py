"""Lines a page shows about what the user has just done, filled in by the apps
that know what it became.

A view records what it started (``remember(request, kind, **data)``; kept in
the session, so it survives the redirect after a POST).  The next page's layout
calls ``render(request)``: each provider that an app registered in its
``AppConfig.ready()`` turns the entries of its kind into HTML.  So a view of a
lower app (customers, network) can ask for the outcome of a NAS action without
importing the app that sends it (aaa), and core stays below every app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

SESSION_KEY = "page_notices"
#: Kinds lower apps remember and a higher app renders.
ACCESS_CHANGES = "access_changes"  # data: customer_id, since (ISO); rendered by aaa
MAX_ENTRIES = 10

#: ``provider(request, entries) -> html``; ``entries``: the remembered dicts of
#: every kind (a provider picks its own).
Provider = Callable[[HttpRequest, list[dict[str, Any]]], str]
_providers: list[Provider] = []


def register_provider(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def remember(request: HttpRequest, kind: str, **data: Any) -> None:
    """Note for the next page that ``kind`` happened (JSON-serialisable ``data``)."""
    session = getattr(request, "session", None)
    if session is None:
        return
    entries = [*session.get(SESSION_KEY, []), {"kind": kind, **data}]
    session[SESSION_KEY] = entries[-MAX_ENTRIES:]


def render(request: HttpRequest) -> str:
    """The HTML of the remembered entries (each shown once), or ""."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return ""
    entries = [e for e in session.pop(SESSION_KEY) if isinstance(e, dict)]
    return "".join(provider(request, entries) for provider in _providers)
