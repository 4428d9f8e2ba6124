"""Import of a GAR (ФИАС, ГАР) XML extract for one region, streamed.

A GAR region extract is a folder named by the region code (``77/``) holding
one XML file per kind, named ``AS_<KIND>_<YYYYMMDD>_<uuid>.XML``:

* ``AS_ADDR_OBJ``: ``<ADDRESSOBJECTS><OBJECT OBJECTID= OBJECTGUID= NAME=
  TYPENAME= LEVEL= ISACTUAL= ISACTIVE= …/>``: regions, districts, localities,
  streets (LEVEL 1 region … 8 street; one row per version, the current one has
  ISACTUAL="1" and ISACTIVE="1");
* ``AS_HOUSES``: ``<HOUSES><HOUSE OBJECTID= OBJECTGUID= HOUSENUM= HOUSETYPE=
  ADDNUM1= ADDTYPE1= ADDNUM2= ADDTYPE2= ISACTUAL= ISACTIVE=/>``;
* ``AS_APARTMENTS``: ``<APARTMENTS><APARTMENT OBJECTID= OBJECTGUID= NUMBER=
  APARTTYPE= ISACTUAL= ISACTIVE=/>``;
* ``AS_ADM_HIERARCHY``: ``<ITEMS><ITEM OBJECTID= PARENTOBJID= ISACTIVE=/>``:
  the administrative tree (child → parent by OBJECTID);
* ``AS_ADDR_OBJ_PARAMS`` / ``AS_HOUSES_PARAMS``: ``<PARAMS><PARAM OBJECTID=
  TYPEID= VALUE= ENDDATE=/>``; TYPEID 5 is the postcode.

Memory stays bounded whatever the file size: each file is read with
``iterparse`` and every element is dropped once handled (``root.clear()``),
rows go to the database in batches, and the parent links are resolved in SQL
from the GAR ids stored on the rows, so no id map is held in Python.

Trust: the extract comes from the Federal Tax Service download site; the
standard library parser (expat ≥ 2.4) resolves no external entities and
limits entity expansion.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pgtrigger
from django.db import connection, transaction
from django.utils import timezone

from lastmile.addresses.models import AddressObject, GarImport, Level, socrbase_code

BATCH = 1000

#: GAR object LEVEL → our level (others — land plots, parking places — skipped).
GAR_LEVELS: dict[int, str] = {
    1: Level.REGION,
    13: Level.REGION,
    2: Level.DISTRICT,
    3: Level.DISTRICT,
    4: Level.DISTRICT,
    14: Level.DISTRICT,
    5: Level.LOCALITY,
    6: Level.LOCALITY,
    7: Level.STREET,
    8: Level.STREET,
}

#: HOUSETYPE → short name; ADDTYPE → which part it is.
HOUSE_TYPES = {
    "1": "влд.",
    "2": "д.",
    "3": "двлд.",
    "4": "г-ж",
    "5": "зд.",
    "6": "шахта",
    "7": "стр.",
    "8": "соор.",
    "9": "литера",
    "10": "к.",
    "11": "подв.",
    "12": "кот.",
    "13": "п-б",
    "14": "ОНС",
}
ADD_PARTS = {"1": "building", "2": "structure", "3": "structure", "4": "letter"}
APARTMENT_TYPES = {"1": "пом.", "2": "кв.", "3": "офис", "4": "комн.", "5": "раб.уч."}
POSTCODE_TYPE = "5"

_FILE = re.compile(r"^AS_(?P<kind>[A-Z_]+?)_(?P<date>\d{8})_", re.IGNORECASE)
ORDER = ("ADDR_OBJ", "HOUSES", "APARTMENTS", "ADM_HIERARCHY", "ADDR_OBJ_PARAMS", "HOUSES_PARAMS")


@dataclass
class Progress:
    """Counters of one run; ``report`` is called after each batch."""

    read: int = 0
    saved: int = 0
    files: list[str] = field(default_factory=list)
    report: Callable[[str], None] = lambda message: None


def find_files(source: Path) -> list[tuple[str, Path]]:
    """The extract's files we read, in the order they must be read."""
    paths = [source] if source.is_file() else sorted(source.rglob("*"))
    found: dict[str, list[Path]] = {}
    for path in paths:
        match = _FILE.match(path.name)
        if match and path.suffix.lower() == ".xml" and match["kind"].upper() in ORDER:
            found.setdefault(match["kind"].upper(), []).append(path)
    return [(kind, path) for kind in ORDER for path in found.get(kind, [])]


def iter_elements(path: Path, tag: str) -> Iterator[dict[str, str]]:
    """The attributes of every ``tag`` element, one at a time (bounded memory)."""
    context = ET.iterparse(path, events=("start", "end"))  # noqa: S314
    root = None
    for event, elem in context:
        if root is None:
            root = elem
            continue
        if event == "end" and elem.tag == tag:
            yield dict(elem.attrib)
            root.clear()  # drops the handled element and its siblings


def _current(attrs: dict[str, str]) -> bool:
    return attrs.get("ISACTUAL", "1") == "1" and attrs.get("ISACTIVE", "1") == "1"


def _guid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


def _object_row(attrs: dict[str, str]) -> AddressObject | None:
    level = GAR_LEVELS.get(int(attrs.get("LEVEL") or 0))
    if level is None or not attrs.get("NAME"):
        return None
    return AddressObject(
        gar_object_id=int(attrs["OBJECTID"]),
        fias_guid=_guid(attrs.get("OBJECTGUID")),
        level=level,
        gar_level=int(attrs["LEVEL"]),
        name=attrs["NAME"][:255],
        type_short=attrs.get("TYPENAME", "")[:20],
        type_code=socrbase_code(level, attrs.get("TYPENAME", "")),
    )


def _house_row(attrs: dict[str, str]) -> AddressObject | None:
    number = attrs.get("HOUSENUM") or attrs.get("ADDNUM1")
    if not number:
        return None
    row = AddressObject(
        gar_object_id=int(attrs["OBJECTID"]),
        fias_guid=_guid(attrs.get("OBJECTGUID")),
        level=Level.HOUSE,
        gar_level=10,
        name=number[:255],
        type_short=HOUSE_TYPES.get(attrs.get("HOUSETYPE", ""), "д."),
    )
    if attrs.get("HOUSENUM"):
        for num, kind in (("ADDNUM1", "ADDTYPE1"), ("ADDNUM2", "ADDTYPE2")):
            part = ADD_PARTS.get(attrs.get(kind, ""))
            if part and attrs.get(num):
                setattr(row, part, attrs[num][:20])
    return row


def _apartment_row(attrs: dict[str, str]) -> AddressObject | None:
    if not attrs.get("NUMBER"):
        return None
    return AddressObject(
        gar_object_id=int(attrs["OBJECTID"]),
        fias_guid=_guid(attrs.get("OBJECTGUID")),
        level=Level.APARTMENT,
        gar_level=11,
        name=attrs["NUMBER"][:255],
        type_short=APARTMENT_TYPES.get(attrs.get("APARTTYPE", ""), "кв."),
    )


_ROWS = {
    "ADDR_OBJ": ("OBJECT", _object_row),
    "HOUSES": ("HOUSE", _house_row),
    "APARTMENTS": ("APARTMENT", _apartment_row),
}
_UPDATE_FIELDS = [
    "fias_guid",
    "level",
    "gar_level",
    "name",
    "type_short",
    "type_code",
    "building",
    "structure",
    "letter",
    "is_active",
]


def _save_rows(rows: list[AddressObject]) -> None:
    # A GUID moved to another OBJECTID (rare) must not block the batch.
    guids = [r.fias_guid for r in rows if r.fias_guid]
    ids = [r.gar_object_id for r in rows]
    AddressObject.objects.filter(fias_guid__in=guids).exclude(gar_object_id__in=ids).update(
        fias_guid=None
    )
    AddressObject.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["gar_object_id"], update_fields=_UPDATE_FIELDS
    )


def _flush_values(sql: str, values: list[tuple[Any, ...]]) -> int:
    if not values:
        return 0
    placeholders = ", ".join(["(%s, %s)"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(sql.format(values=placeholders), [v for pair in values for v in pair])
        return int(cursor.rowcount)


_PARENT_SQL = (
    "UPDATE addresses_addressobject a SET gar_parent_id = v.parent "
    "FROM (VALUES {values}) AS v(obj, parent) WHERE a.gar_object_id = v.obj"
)
_POSTCODE_SQL = (
    "UPDATE addresses_addressobject a SET postcode = v.code "
    "FROM (VALUES {values}) AS v(obj, code) WHERE a.gar_object_id = v.obj"
)
_LINK_SQL = (
    "UPDATE addresses_addressobject a SET parent_id = p.id "
    "FROM addresses_addressobject p "
    "WHERE a.gar_parent_id = p.gar_object_id AND a.parent_id IS DISTINCT FROM p.id "
    "AND a.id <> p.id"
)


def _read_file(kind: str, path: Path, progress: Progress, today: str) -> None:
    if kind in _ROWS:
        tag, build = _ROWS[kind]
        rows: list[AddressObject] = []
        for attrs in iter_elements(path, tag):
            progress.read += 1
            row = build(attrs) if _current(attrs) else None
            if row is not None:
                rows.append(row)
            if len(rows) >= BATCH:
                _save_rows(rows)
                progress.saved += len(rows)
                progress.report(f"{path.name}: {progress.read} read, {progress.saved} saved")
                rows = []
        if rows:
            _save_rows(rows)
            progress.saved += len(rows)
        return
    if kind == "ADM_HIERARCHY":
        pairs: list[tuple[Any, ...]] = []
        for attrs in iter_elements(path, "ITEM"):
            progress.read += 1
            if attrs.get("ISACTIVE", "1") == "1" and attrs.get("PARENTOBJID"):
                pairs.append((int(attrs["OBJECTID"]), int(attrs["PARENTOBJID"])))
            if len(pairs) >= BATCH:
                _flush_values(_PARENT_SQL, pairs)
                pairs = []
                progress.report(f"{path.name}: {progress.read} read")
        _flush_values(_PARENT_SQL, pairs)
        return
    codes: list[tuple[Any, ...]] = []
    for attrs in iter_elements(path, "PARAM"):
        progress.read += 1
        value = attrs.get("VALUE", "")
        ends = attrs.get("ENDDATE", "9999-12-31")
        if attrs.get("TYPEID") == POSTCODE_TYPE and re.fullmatch(r"\d{6}", value) and ends > today:
            codes.append((int(attrs["OBJECTID"]), value))
        if len(codes) >= BATCH:
            _flush_values(_POSTCODE_SQL, codes)
            codes = []
    _flush_values(_POSTCODE_SQL, codes)


#: The registry's journal triggers (staff edits only; see models.AddressObject).
GAR_IGNORED_TRIGGERS = (
    "addresses.AddressObject:insert_insert",
    "addresses.AddressObject:update_update",
)


def import_gar(
    source: Path, *, region_code: str = "", report: Callable[[str], None] | None = None
) -> GarImport:
    """Import (or refresh) the registry from a GAR region extract; one ``GarImport`` row.

    Re-running with a newer extract updates objects in place by OBJECTID."""
    run = GarImport.objects.create(
        source=str(source)[:500], region_code=region_code or source.name[:4]
    )
    progress = Progress(report=report or (lambda message: None))
    today = dt.date.today().isoformat()
    try:
        files = find_files(source)
        if not files:
            raise ValueError(f"no GAR files (AS_ADDR_OBJ_…, AS_HOUSES_…) in {source}")
        with transaction.atomic(), pgtrigger.ignore(*GAR_IGNORED_TRIGGERS):
            for kind, path in files:
                progress.report(f"reading {path.name}")
                _read_file(kind, path, progress, today)
            with connection.cursor() as cursor:
                cursor.execute(_LINK_SQL)
                progress.report(f"linked {cursor.rowcount} objects to their parents")
    except Exception as exc:
        GarImport.objects.filter(pk=run.pk).update(
            state=GarImport.State.FAILED,
            error=str(exc)[:2000],
            objects_read=progress.read,
            finished_at=timezone.now(),
        )
        run.refresh_from_db()
        raise
    GarImport.objects.filter(pk=run.pk).update(
        state=GarImport.State.DONE,
        objects_read=progress.read,
        objects_saved=progress.saved,
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run
