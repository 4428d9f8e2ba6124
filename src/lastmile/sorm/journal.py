"""The journal the SORM export reads: django-pghistory's event tables.

pghistory writes one event row per insert/update/delete from a database
trigger, in the same transaction as the change (so a change and its journal
entry commit or roll back together), and nothing updates or deletes event
rows.  Each event is a full snapshot of the tracked row at that moment, so

* a *version* of an object is an event's snapshot, valid from the event's
  ``pgh_created_at`` until the next event of the same object (or its delete);
* the state *as of* any moment T is each object's last event at or before T
  (unless that is a delete);
* an incremental run covers the events whose ``pgh_id`` is above the previous
  run's watermark: it emits every version of those objects that was valid at
  some point since the previous run, each with its own start and end.

Watermarks are taken so that no entry is skipped: the sequence value is read
first, then the run waits until every transaction that started earlier has
finished (ids are handed out before commit, so an older transaction could
still commit an id below the value read).  See docs/sorm.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from django.db import connection, models, transaction

log = structlog.get_logger(__name__)

CHUNK = 2000


@dataclass(frozen=True)
class Version:
    """One state of a tracked object and the interval it was valid in."""

    obj_id: int
    data: dict[str, Any]
    valid_from: datetime
    valid_to: datetime | None
    ended_by_delete: bool = False


def iter_versions(
    event_model: type[models.Model],
    fields: Iterable[str],
    *,
    until: datetime | None = None,
    upto_id: int | None = None,
    obj_ids: Iterable[int] | None = None,
    projection: Callable[[dict[str, Any]], Any] | None = None,
) -> Iterator[list[Version]]:
    """Each object's versions (a list per object, oldest first), streamed from
    the event table in (object, event id) order with a server-side cursor.

    ``until``: only events at or before that moment (an as-of rebuild);
    ``upto_id``: only events up to that id (an incremental run).
    ``projection``: consecutive events whose projection is equal merge into
    one version (a change of a column the file does not carry is no new
    interval).  A delete event closes the last version and opens none.
    """
    names = ["pgh_id", "pgh_obj_id", "pgh_label", "pgh_created_at", *fields]
    queryset = event_model.objects.all()  # type: ignore[attr-defined]
    if until is not None:
        queryset = queryset.filter(pgh_created_at__lte=until)
    if upto_id is not None:
        queryset = queryset.filter(pgh_id__lte=upto_id)
    if obj_ids is not None:
        queryset = queryset.filter(pgh_obj_id__in=list(obj_ids))
    rows = queryset.order_by("pgh_obj_id", "pgh_id").values_list(*names).iterator(CHUNK)
    current_id: int | None = None
    events: list[tuple[Any, ...]] = []
    for row in rows:
        if row[1] != current_id and events:
            yield _versions(events, fields, projection)
            events = []
        current_id = row[1]
        events.append(row)
    if events:
        yield _versions(events, fields, projection)


def _versions(
    events: list[tuple[Any, ...]],
    fields: Iterable[str],
    projection: Callable[[dict[str, Any]], Any] | None,
) -> list[Version]:
    names = list(fields)
    out: list[Version] = []
    open_data: dict[str, Any] | None = None
    open_from: datetime | None = None
    open_key: Any = None
    obj_id = events[0][1]
    for _pgh_id, _obj, label, at, *values in events:
        if label == "delete" or (label.endswith("delete") and label != "undelete"):
            if open_data is not None and open_from is not None:
                out.append(Version(obj_id, open_data, open_from, at, ended_by_delete=True))
            open_data, open_from, open_key = None, None, None
            continue
        data = dict(zip(names, values, strict=True))
        key = projection(data) if projection else tuple(values)
        if open_data is not None and key == open_key:
            open_data = data  # same as far as the file can tell: keep the interval
            continue
        if open_data is not None and open_from is not None:
            out.append(Version(obj_id, open_data, open_from, at))
        open_data, open_from, open_key = data, at, key
    if open_data is not None and open_from is not None:
        out.append(Version(obj_id, open_data, open_from, None))
    return out


def changed_objects(event_model: type[models.Model], after_id: int, upto_id: int) -> list[int]:
    """Objects with a journal entry in (after_id, upto_id]."""
    return list(
        event_model.objects.filter(  # type: ignore[attr-defined]
            pgh_id__gt=after_id, pgh_id__lte=upto_id
        )
        .values_list("pgh_obj_id", flat=True)
        .distinct()
    )


def watermark_key(model: type[models.Model]) -> str:
    return model._meta.label


def read_sequence_values(models_: Iterable[tuple[type[models.Model], str]]) -> dict[str, int]:
    """The last value handed out by each table's id sequence (0: none yet)."""
    values: dict[str, int] = {}
    with connection.cursor() as cursor:
        for model, column in models_:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, column])
            sequence = cursor.fetchone()[0]
            if sequence is None:
                values[watermark_key(model)] = 0
                continue
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
            last_value, is_called = cursor.fetchone()
            values[watermark_key(model)] = int(last_value) if is_called else 0
    return values


def wait_for_older_transactions(started: datetime, timeout_s: float) -> bool:
    """Wait until no other transaction that began before ``started`` is open;
    False if some still are after ``timeout_s`` (the caller then keeps the
    previous watermark for what they might write)."""
    deadline = time.monotonic() + timeout_s
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND xact_start < %s",
                [started],
            )
            (count,) = cursor.fetchone()
        if count == 0:
            return True
        if time.monotonic() >= deadline:
            log.warning("sorm.watermark_wait_timeout", open_transactions=count)
            return False
        time.sleep(0.2)


def database_now() -> datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        value: datetime = cursor.fetchone()[0]
    return value


def seed_missing(event_model: type[models.Model], *, condition: str = "") -> int:
    """Give every tracked row that has no journal entry at all a first one.

    Rows written with the triggers off (bulk loads under
    ``session_replication_role = replica``, data from before the tracking)
    would otherwise never reach SORM.  The entry is an ``insert`` snapshot of
    the row as it is now, dated at the row's creation (or start) time.
    """
    tracked = event_model.pgh_tracked_model  # type: ignore[attr-defined]
    base = tracked._meta.db_table
    base_columns = {f.column for f in tracked._meta.concrete_fields}
    targets: list[str] = []
    values: list[str] = []
    for field_ in event_model._meta.concrete_fields:
        column = field_.column
        if column in ("pgh_id", "pgh_context_id"):
            continue
        if column == "pgh_created_at":
            stamp = next((c for c in ("created_at", "started_at") if c in base_columns), None)
            expression = f"coalesce(b.{stamp}, now())" if stamp else "now()"
        elif column == "pgh_label":
            expression = "'insert'"
        elif column == "pgh_obj_id":
            expression = f"b.{tracked._meta.pk.column}"
        elif column in base_columns:
            expression = f"b.{column}"
        else:
            continue
        targets.append(column)
        values.append(expression)
    events = event_model._meta.db_table
    where = f"AND ({condition})" if condition else ""
    sql = (
        f"INSERT INTO {events} ({', '.join(targets)}) "  # noqa: S608 (names from the models)
        f"SELECT {', '.join(values)} FROM {base} b "
        f"WHERE NOT EXISTS (SELECT 1 FROM {events} e "
        f"WHERE e.pgh_obj_id = b.{tracked._meta.pk.column}) {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.rowcount)


def snapshot_sql(
    event_model: type[models.Model],
    fields: Iterable[str],
    *,
    key_fields: Iterable[str] | None = None,
    until_param: str = "until",
) -> str:
    """The state as of ``%(until)s`` in SQL: one row per object whose last
    event at or before that moment is not a delete, with ``obj_id``, the
    tracked ``fields`` and ``valid_from`` (the start of the version, as
    :func:`iter_versions` merges it: consecutive events equal in
    ``key_fields`` are one version; a delete ends one).

    The same answer as ``iter_versions(until=…)``'s last versions, computed by
    the database (window functions over the event table) instead of Python.
    """
    names = list(fields)
    keys = list(key_fields) if key_fields is not None else names
    table = event_model._meta.db_table
    columns = {f.name: f.column for f in event_model._meta.concrete_fields}
    select = ", ".join(f"{_ident(columns.get(name, name))} AS {_ident(name)}" for name in names)
    is_delete = (
        "(pgh_label = 'delete' OR (right(pgh_label, 6) = 'delete' AND pgh_label <> 'undelete'))"
    )
    changed = (
        " OR ".join(f"{_ident(k)} IS DISTINCT FROM lag({_ident(k)}) OVER w" for k in keys)
        or "false"
    )
    outer = ", ".join(f"g.{_ident(name)}" for name in names)
    return (
        f"SELECT g.obj_id, g.valid_from, {outer} FROM ("  # noqa: S608 (names from the models)
        "SELECT m.*, first_value(m.pgh_created_at) OVER (PARTITION BY m.obj_id, m.grp "
        "ORDER BY m.pgh_id) AS valid_from, "
        "row_number() OVER (PARTITION BY m.obj_id ORDER BY m.pgh_id DESC) AS rn FROM ("
        "SELECT s.*, count(*) FILTER (WHERE s.starts) OVER (PARTITION BY s.obj_id "
        "ORDER BY s.pgh_id) AS grp FROM ("
        "SELECT e.*, (lag(e.pgh_id) OVER w IS NULL OR coalesce(lag(e.is_delete) OVER w, false) "
        f"OR {changed}) AS starts FROM ("
        f"SELECT pgh_id, pgh_obj_id AS obj_id, pgh_created_at, {is_delete} AS is_delete, {select} "
        f"FROM {table} WHERE pgh_created_at <= %({until_param})s) e "
        "WINDOW w AS (PARTITION BY e.obj_id ORDER BY e.pgh_id)) s) m) g "
        "WHERE g.rn = 1 AND NOT g.is_delete"
    )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def iter_snapshot(
    event_model: type[models.Model],
    fields: Iterable[str],
    *,
    until: datetime,
    key_fields: Iterable[str] | None = None,
    where: str = "",
) -> Iterator[Version]:
    """Each object's version valid at ``until`` (:func:`snapshot_sql`),
    streamed with a server-side cursor in object order; ``where``: an SQL
    condition on the snapshot's columns (``s.<field>``) that skips objects
    the file has no row for before Python sees them."""
    names = list(fields)
    sql = snapshot_sql(event_model, names, key_fields=key_fields)
    condition = f" WHERE {where}" if where else ""
    query = f"SELECT * FROM ({sql}) s{condition} ORDER BY s.obj_id"  # noqa: S608 (own fragments)
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(query, {"until": until})
        while True:
            rows = cursor.fetchmany(CHUNK)
            if not rows:
                break
            for obj_id, valid_from, *values in rows:
                yield Version(obj_id, dict(zip(names, values, strict=True)), valid_from, None)
