"""One customer timeline: history, money, subscriptions, leases, sessions, tickets.

Each app contributes its own events without the customers app knowing about it
(the same pattern as the customer page's sections): in ``AppConfig.ready()``

    from lastmile.customers.timeline import register_timeline_source
    register_timeline_source("money", money_events)

``source(customer, user, limit)`` returns at most ``limit`` ``TimelineEvent``
values, newest first, of what ``user`` may see (it restricts its own querysets,
or returns nothing).  The page merges the sources by time.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True, order=True)
class TimelineEvent:
    at: datetime
    kind: str = field(compare=False)  # the source's key: "history", "money", …
    title: str | Promise = field(compare=False)
    detail: str = field(default="", compare=False)
    url: str = field(default="", compare=False)
    actor: str = field(default="", compare=False)


TimelineSource = Callable[[Any, Any, int], Iterable[TimelineEvent]]

#: key -> (label, source)
_SOURCES: dict[str, tuple[str | Promise, TimelineSource]] = {}


def register_timeline_source(key: str, label: str | Promise, source: TimelineSource) -> None:
    _SOURCES[key] = (label, source)


def timeline_kinds() -> list[tuple[str, str | Promise]]:
    return [(key, label) for key, (label, _source) in _SOURCES.items()]


def customer_timeline(
    customer: Any, user: Any, *, kinds: set[str] | None = None, limit: int = 200
) -> list[TimelineEvent]:
    """The newest ``limit`` events of the chosen kinds, newest first."""
    streams = [
        sorted(source(customer, user, limit), reverse=True)
        for key, (_label, source) in _SOURCES.items()
        if not kinds or key in kinds
    ]
    merged = heapq.merge(*streams, reverse=True)
    return [event for _n, event in zip(range(limit), merged, strict=False)]


def history_events(customer: Any, user: Any, limit: int) -> list[TimelineEvent]:
    """The customer record's own changes (pghistory)."""
    from lastmile.core.history import history_for

    events = []
    for entry in history_for(customer, limit=limit):
        detail = "; ".join(
            f"{change.label}: {change.before_text or '—'} → {change.after_text or '—'}"
            for change in entry.changes[:6]
        )
        if entry.reason:
            detail = f"{detail} ({entry.reason})"
        events.append(
            TimelineEvent(
                at=entry.at,
                kind="history",
                title=entry.event,
                detail=detail,
                actor=entry.username or str(_("system")),
            )
        )
    return events


register_timeline_source("history", _("Changes"), history_events)
