"""Reading pghistory events as "who changed what, when, before → after", in words.

An event stores raw column values (ids, ``true``, ISO UTC times, choice codes).
Each change is shown the way the rest of the UI shows the field: its verbose
name, the choice's label, "yes"/"no", the linked object (a link where it has a
page), local time, money with its currency.  Secret columns are named but their
values never shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pghistory.models
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from lastmile.core.formatting import format_money

HIDDEN_FIELDS = frozenset({"password", "updated_at", "secret_encrypted", "digest"})
#: Columns whose change is shown, but never their value.
SECRET_MARKERS = ("password", "secret", "encrypted", "token", "key_hash", "digest")

EVENT_LABELS: dict[str, str | Promise] = {
    "insert": _("Created"),
    "update": _("Changed"),
    "delete": _("Deleted"),
}


@dataclass
class FieldChange:
    name: str  # the column name (stable; tests and exports use it)
    before: Any  # raw values as stored in the event
    after: Any
    label: str | Promise = ""  # the field's verbose name
    before_text: str = ""  # the values in words
    after_text: str = ""
    before_url: str = ""  # a link for a linked object
    after_url: str = ""


@dataclass
class HistoryEntry:
    at: datetime
    label: str
    username: str | None
    request_id: str | None
    changes: list[FieldChange] = field(default_factory=list)
    reason: str = ""  # the staff member's words, when the change asked for them

    @property
    def event(self) -> str | Promise:
        return EVENT_LABELS.get(self.label, self.label)


class _Presenter:
    """Turns raw event values of one model into words (linked objects cached)."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self._objects: dict[tuple[type[models.Model], Any], models.Model | None] = {}

    def field(self, name: str) -> models.Field[Any, Any] | None:
        try:
            found = self.model._meta.get_field(name)
        except Exception:
            found = None
        if found is None:
            for candidate in self.model._meta.concrete_fields:
                if candidate.attname == name:
                    return candidate
            return None
        return found if isinstance(found, models.Field) else None

    def change(self, name: str, before: Any, after: Any) -> FieldChange:
        model_field = self.field(name)
        label = capfirst(model_field.verbose_name) if model_field is not None else name
        change = FieldChange(name, before, after, label=label)
        if any(marker in name for marker in SECRET_MARKERS):
            change.before_text = "" if before in (None, "") else str(_("(hidden)"))
            change.after_text = "" if after in (None, "") else str(_("(hidden)"))
            return change
        change.before_text, change.before_url = self.value(model_field, before)
        change.after_text, change.after_url = self.value(model_field, after)
        return change

    def value(self, model_field: models.Field[Any, Any] | None, raw: Any) -> tuple[str, str]:
        if raw is None or raw == "":
            return "", ""
        if model_field is None:
            return _plain(raw), ""
        if model_field.is_relation and model_field.related_model is not None:
            return self._related(model_field.related_model, raw)  # type: ignore[arg-type]
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(raw, raw)), ""
        if isinstance(model_field, models.BooleanField):
            return str(_("yes") if raw else _("no")), ""
        if isinstance(model_field, models.DateTimeField):
            return _when(raw), ""
        if isinstance(model_field, models.DateField):
            parsed = parse_date(str(raw)) if not isinstance(raw, date) else raw
            return (date_format(parsed, "SHORT_DATE_FORMAT") if parsed else str(raw)), ""
        if isinstance(model_field, models.DecimalField) and model_field.decimal_places == 2:
            try:
                return format_money(Decimal(str(raw))), ""
            except InvalidOperation:
                return str(raw), ""
        return _plain(raw), ""

    def _related(self, model: type[models.Model], pk: Any) -> tuple[str, str]:
        key = (model, pk)
        if key not in self._objects:
            self._objects[key] = model._default_manager.filter(pk=pk).first()
        obj = self._objects[key]
        if obj is None:
            return str(_("#%(id)s (deleted)") % {"id": pk}), ""
        url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
        return str(obj), url


def _when(raw: Any) -> str:
    parsed = raw if isinstance(raw, datetime) else parse_datetime(str(raw))
    if parsed is None:
        return str(raw)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return date_format(timezone.localtime(parsed), "SHORT_DATETIME_FORMAT")


def _plain(raw: Any) -> str:
    if isinstance(raw, list):
        return ", ".join(_plain(item) for item in raw)
    if isinstance(raw, dict):
        return json.dumps(raw, ensure_ascii=False, sort_keys=True)
    if isinstance(raw, bool):
        return str(_("yes") if raw else _("no"))
    return str(raw)


def history_for(obj: models.Model, limit: int = 200) -> list[HistoryEntry]:
    """The object's events, newest first, with the actor from the history context."""
    events = pghistory.models.Events.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")[
        :limit
    ]
    presenter = _Presenter(type(obj))
    entries = []
    for event in events:
        context = event.pgh_context or {}
        changes = [
            presenter.change(name, before, after)
            for name, (before, after) in sorted((event.pgh_diff or {}).items())
            if name not in HIDDEN_FIELDS
        ]
        if event.pgh_label == "insert" and not changes:
            changes = [
                presenter.change(name, None, value)
                for name, value in sorted((event.pgh_data or {}).items())
                if name not in HIDDEN_FIELDS
                and not name.startswith("pgh_")
                and value not in (None, "")
            ]
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                label=event.pgh_label,
                username=context.get("username"),
                request_id=context.get("request_id"),
                changes=changes,
                reason=str(context.get("reason") or ""),
            )
        )
    return entries
