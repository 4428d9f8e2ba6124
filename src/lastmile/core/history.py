"""Reading pghistory events as "who changed what, when, before → after"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pghistory.models
from django.db import models

HIDDEN_FIELDS = frozenset({"password", "updated_at", "secret_encrypted", "digest"})


@dataclass
class FieldChange:
    name: str
    before: Any
    after: Any


@dataclass
class HistoryEntry:
    at: datetime
    label: str
    username: str | None
    request_id: str | None
    changes: list[FieldChange] = field(default_factory=list)


def history_for(obj: models.Model, limit: int = 200) -> list[HistoryEntry]:
    """The object's events, newest first, with the actor from the history context."""
    events = pghistory.models.Events.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")[
        :limit
    ]
    entries = []
    for event in events:
        context = event.pgh_context or {}
        changes = [
            FieldChange(name, before, after)
            for name, (before, after) in sorted((event.pgh_diff or {}).items())
            if name not in HIDDEN_FIELDS
        ]
        if event.pgh_label == "insert" and not changes:
            changes = [
                FieldChange(name, None, value)
                for name, value in sorted((event.pgh_data or {}).items())
                if name not in HIDDEN_FIELDS and not name.startswith("pgh_")
            ]
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                label=event.pgh_label,
                username=context.get("username"),
                request_id=context.get("request_id"),
                changes=changes,
            )
        )
    return entries
