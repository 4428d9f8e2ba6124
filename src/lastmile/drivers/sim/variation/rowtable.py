"""snmpsim variation module ``rowtable``: one conceptual table whose rows are made
and removed through a RowStatus column (RFC 2579), as a real agent does it.

snmpsim's own ``writecache`` keeps SETs to objects the data file already has, so
it cannot create a row.  This module serves a whole table entry as a subtree
record (empty type tag)::

    <entry oid>|:rowtable|status=12;col.12=2;col.17=4;size.17=31;12.1=1;17.1=default

``status=<column>`` names the RowStatus column, ``col.<column>=<tag>`` gives each
writable column's snmprec type tag (``4x``: an octet string whose cells are
written in hex, e.g. a Q-BRIDGE PortList), ``size.<column>=<n>`` an octet string
column's longest value, ``default.<column>=<value>`` a column's value in a
row createAndGo makes (the MIB's DEFVAL or default), and ``<column>.<index>=<value>`` are the rows the
agent starts with.  SET semantics:

* RowStatus createAndGo(4) on a new index creates the row, active(1), with the
  columns that have a default; on an
  existing row it is inconsistentValue.  createAndWait(5) is wrongValue (the
  simulated agents, like the Huawei switches, take createAndGo only).
* destroy(6) removes every cell of the row (a row that is not there: no-op).
* Any other column may be written only in an existing row (else noCreation),
  with a value of its declared type (else wrongType) and size (else wrongLength).

The rows live in this snmpsim process (per data file), so every agent starts
from the record's rows.  snmpsim loads this file by path (``--variation-modules-dir``),
so it is no package module and imports only snmpsim/pysnmp.
"""

from __future__ import annotations

from typing import Any

from pysnmp.smi import error, exval
from snmpsim.grammar.snmprec import SnmprecGrammar

ACTIVE, NOT_IN_SERVICE, CREATE_AND_GO, CREATE_AND_WAIT, DESTROY = 1, 2, 4, 5, 6


def init(**context: Any) -> None:
    """Nothing to set up: a table's rows are read from its record on first use."""


def shutdown(**context: Any) -> None:
    """Nothing to close: the rows are in memory."""


def _parse(value: str) -> dict[str, Any]:
    status = 0
    types: dict[int, Any] = {}
    hex_columns: set[int] = set()
    sizes: dict[int, int] = {}
    defaults: list[tuple[int, str]] = []
    raw: list[tuple[tuple[int, ...], str]] = []
    for item in value.split(";"):
        key, _, text = item.partition("=")
        if key == "status":
            status = int(text)
        elif key.startswith("col."):
            if text.endswith("x"):
                hex_columns.add(int(key[4:]))
            types[int(key[4:])] = SnmprecGrammar.TAG_MAP[text.rstrip("x")]
        elif key.startswith("default."):
            defaults.append((int(key[8:]), text))
        elif key.startswith("size."):
            sizes[int(key[5:])] = int(text)
        elif key:
            raw.append((tuple(int(p) for p in key.split(".")), text))

    def cell(column: int, text: str) -> Any:
        typ = types[column]
        return typ(hexValue=text) if column in hex_columns else typ(text)

    cells = {k: cell(k[0], text) for k, text in raw}
    made = {column: cell(column, text) for column, text in defaults}
    return {"status": status, "types": types, "sizes": sizes, "cells": cells, "defaults": made}


def _table(value: str) -> dict[str, Any]:
    state: dict[str, Any] = globals()["recordContext"]  # set by snmpsim per record
    if "cells" not in state:
        state.update(_parse(value))
    return state


def variate(oid: Any, tag: str, value: str, **context: Any) -> tuple[Any, str, Any]:
    table = _table(value)
    base = tuple(oid)
    want = tuple(context["origOid"])
    suffix = want[len(base) :] if want[: len(base)] == base else ()
    if context["setFlag"]:
        return _write(table, suffix, tag, context)
    cells = table["cells"]
    if context["nextFlag"]:
        later = sorted(k for k in cells if base + k > want)
        if not later:
            return context["origOid"], tag, exval.endOfMib  # snmpsim goes on past the table
        return context["origOid"].clone(base + later[0]), tag, cells[later[0]]
    cell = cells.get(suffix)
    return context["origOid"], tag, context["errorStatus"] if cell is None else cell


def _write(
    table: dict[str, Any], suffix: tuple[int, ...], tag: str, context: dict[str, Any]
) -> tuple[Any, str, Any]:
    name, new = context["origOid"], context["origValue"]
    idx = max(0, context["varsTotal"] - context["varsRemaining"] - 1)
    types, cells, status = table["types"], table["cells"], table["status"]
    if len(suffix) < 2 or suffix[0] not in types:
        raise error.NotWritableError(name=name, idx=idx)
    column, index = suffix[0], suffix[1:]
    if not types[column]().isSameTypeWith(new):
        raise error.WrongTypeError(name=name, idx=idx)
    exists = (status, *index) in cells
    if column != status:
        if not exists:
            raise error.NoCreationError(name=name, idx=idx)
        if column in table["sizes"] and len(new) > table["sizes"][column]:
            raise error.WrongLengthError(name=name, idx=idx)
        cells[suffix] = new
        return name, tag, new
    action = int(new)
    if action == CREATE_AND_GO and not exists:
        for col, default in table["defaults"].items():
            cells.setdefault((col, *index), default)
        cells[suffix] = types[column](ACTIVE)
    elif action == DESTROY:
        for key in [k for k in cells if k[1:] == index]:
            del cells[key]
    elif action in (ACTIVE, NOT_IN_SERVICE) and exists:
        cells[suffix] = types[column](action)
    elif action == CREATE_AND_WAIT or action not in (ACTIVE, NOT_IN_SERVICE, CREATE_AND_GO):
        raise error.WrongValueError(name=name, idx=idx)
    else:
        raise error.InconsistentValueError(name=name, idx=idx)
    return name, tag, new
