"""What every SORM source builds on: the :class:`Window` a run covers, the
row type, and :class:`JournalSource` (a file fed from one tracked model's
journal: the as-of state for full runs, every version since the previous run
for incremental ones; see ``journal``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models

from lastmile.sorm import journal

Row = dict[str, Any]


@dataclass
class Window:
    """What one run covers.

    ``until``: the moment the data is valid at.  ``since``: the previous
    run's moment (incremental only).  ``after``/``upto``: journal
    watermarks per table label (incremental only).
    """

    until: datetime
    since: datetime | None = None
    after: dict[str, int] = field(default_factory=dict)
    upto: dict[str, int] = field(default_factory=dict)

    @property
    def incremental(self) -> bool:
        return self.since is not None


def _conf() -> Any:
    return settings.LASTMILE


def _event_model(label: str) -> type[models.Model]:
    return apps.get_model(label)


@dataclass(frozen=True)
class JournalSource:
    """A file fed from one tracked model's journal.

    ``project`` turns one snapshot into the file's rows (without the
    interval).  ``interval``: the start/end columns filled from the
    version's validity (contacts, individuals…); None when the rows carry
    their own dates (services, leases).  ``delete_end``: the end column a
    delete event fills (pools, NASes).  ``is_current``: whether a version's
    rows belong in a full snapshot at moment T.
    """

    event_label: str
    fields: tuple[str, ...]
    project: Callable[[dict[str, Any]], list[Row]]
    interval: tuple[str, str] | None = None
    delete_end: str | None = None
    is_current: Callable[[dict[str, Any], datetime], bool] = lambda data, at: True
    seed_condition: str = ""
    # The fields whose change is a new version (None: any tracked field).
    key_fields: tuple[str, ...] | None = None
    # An SQL condition on the snapshot (``s.<field>``): objects without rows.
    snapshot_where: str = ""

    @property
    def event_model(self) -> type[models.Model]:
        return _event_model(self.event_label)

    def rows(self, window: Window) -> Iterator[Row]:
        if window.incremental:
            yield from self._changes(window)
        else:
            yield from self._snapshot(window.until)

    def _key(self, data: dict[str, Any]) -> Any:
        if self.key_fields is None:
            return tuple(data.values())
        return tuple(data[name] for name in self.key_fields)

    def _snapshot(self, at: datetime) -> Iterator[Row]:
        # The as-of state is computed by the database (journal.snapshot_sql).
        for version in journal.iter_snapshot(
            self.event_model,
            self.fields,
            until=at,
            key_fields=self.key_fields,
            where=self.snapshot_where,
        ):
            if self.is_current(version.data, at):
                yield from self._rows_of(version, end=None)

    def _changes(self, window: Window) -> Iterator[Row]:
        model = self.event_model
        label = journal.watermark_key(model)
        after, upto = window.after.get(label, 0), window.upto.get(label, 0)
        if upto <= after:
            return
        changed = journal.changed_objects(model, after, upto)
        assert window.since is not None
        for start in range(0, len(changed), journal.CHUNK):
            ids = changed[start : start + journal.CHUNK]
            for versions in journal.iter_versions(
                model, self.fields, upto_id=upto, obj_ids=ids, projection=self._key
            ):
                for version in versions:
                    if version.valid_to is not None and version.valid_to <= window.since:
                        continue  # ended before the previous run: already sent
                    if version.ended_by_delete and not (self.interval or self.delete_end):
                        continue  # the file has no end column for it
                    superseded = self.interval is None and version is not versions[-1]
                    if superseded and not version.ended_by_delete:
                        continue  # rows carry their own dates: the last state says all
                    yield from self._rows_of(version, end=version.valid_to)

    def _rows_of(self, version: journal.Version, *, end: datetime | None) -> Iterator[Row]:
        for row in self.project(version.data):
            if self.interval is not None:
                start_col, end_col = self.interval
                row[start_col] = version.valid_from
                row[end_col] = end
            if self.delete_end is not None and version.ended_by_delete:
                row[self.delete_end] = version.valid_to
            yield row
