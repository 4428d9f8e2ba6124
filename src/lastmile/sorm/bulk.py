"""Files written by PostgreSQL: a set-based query per file type builds the
lines, joined into blocks that a server-side cursor streams into the file.

A :class:`SqlRows` is a ``SELECT`` whose columns are the file's columns
already as text in the physical format (dates ``DD.MM.YYYY``, date-times in
the operator's zone, amounts with six decimals…), plus private ``_``-columns
for the order and an optional ``_invalid`` reason.  :func:`copy_rows` wraps
it so that

* each column of the file's schema comes out in schema order (a reserved or
  missing one is the empty field), every field quoted (an embedded ``"``
  doubled), ``;`` between, LF at the end, line breaks inside a field become
  a space;
* a row the schema refuses (a required field empty, a field too long, the
  line over 8192 bytes, or the source's own ``_invalid``) is left out, counted
  and its reason kept, with the same messages as the Python writer.

The bytes are the ones ``formats.render_rows`` writes for the same rows (the
golden tests hold both to the same files); this path exists because at
100,000 subscribers the per-row Python work was most of the export's time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from lastmile.sorm.formats import MAX_LINE_BYTES, FileType, Rendered


@dataclass(frozen=True)
class SqlRows:
    """A file's rows as one query (see the module docstring)."""

    select: str
    params: dict[str, Any]
    columns: tuple[str, ...]  # the file columns the select provides
    order: str  # ORDER BY over the select's columns
    has_invalid: bool = False
    text_columns: tuple[str, ...] = field(default_factory=tuple)  # may hold line breaks


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fault_expression(file_type: FileType, rows: SqlRows) -> str:
    provided = set(rows.columns)
    cases: list[str] = []
    line_parts: list[str] = []
    for column in file_type.columns:
        if column.kind == "reserved" or column.name not in provided:
            if column.kind != "reserved" and column.required:
                cases.append(f"WHEN true THEN '{column.name}: required'")
            continue
        ref = f"r.{_q(column.name)}"
        line_parts.append(ref)
        if column.required:
            cases.append(f"WHEN {ref} = '' THEN '{column.name}: required'")
        if column.max_length is not None:
            cases.append(
                f"WHEN char_length({ref}) > {int(column.max_length)} "
                f"THEN '{column.name}: longer than {int(column.max_length)} characters'"
            )
    if line_parts:
        joined = "concat(" + ", ".join(line_parts) + ")"
        # Quotes around each field, ``;`` between, embedded quotes doubled.
        overhead = 3 * len(file_type.columns) - 1
        cases.append(
            f"WHEN octet_length({joined}) * 2 - octet_length(replace({joined}, '\"', '')) "
            f"+ {overhead} >= {MAX_LINE_BYTES} THEN 'line longer than {MAX_LINE_BYTES} bytes'"
        )
    fallback = "r._invalid" if rows.has_invalid else "NULL"
    if not cases:
        return fallback
    return f"CASE {' '.join(cases)} ELSE {fallback} END"


def _output_expression(name: str, rows: SqlRows) -> str:
    ref = f"v.{_q(name)}"
    if name in rows.text_columns:
        return f"replace(replace(replace({ref}, E'\\r\\n', ' '), E'\\n', ' '), E'\\r', ' ')"
    return ref


def _checked(file_type: FileType, rows: SqlRows) -> str:
    return (
        f"WITH r AS ({rows.select}), "
        f"v AS (SELECT r.*, {_fault_expression(file_type, rows)} AS _fault FROM r) "
    )


def copy_rows(
    file_type: FileType,
    rows: SqlRows,
    sink: Callable[[bytes], None],
    *,
    result: Rendered | None = None,
    max_errors: int = 200,
    block_lines: int = 2000,
) -> Rendered:
    """Stream the file into ``sink`` and count what was written or refused.

    The database builds each line and joins ``block_lines`` of them into one
    value; a server-side cursor hands the blocks over a few at a time, so
    Python touches a block, not a row (memory stays bounded at any size)."""
    result = result or Rendered()
    provided = set(rows.columns)
    outputs = [
        _output_expression(c.name, rows) if c.kind != "reserved" and c.name in provided else "''"
        for c in file_type.columns
    ]
    if file_type.quoted:
        fields = [f"replace({o}, '\"', '\"\"')" if o != "''" else "''" for o in outputs]
        line = "'\"' || " + " || '\";\"' || ".join(fields) + " || E'\"\\n'"
    else:
        line = " || ';' || ".join(outputs) + " || E'\\n'"
    body = _checked(file_type, rows)
    # The blocks in order, then one last row: (NULL, how many were refused);
    # v is read twice, so PostgreSQL computes it once.
    blocks_sql = (
        f"{body}, o AS (SELECT {line} AS line, row_number() OVER (ORDER BY {rows.order}) AS n "
        "FROM v WHERE v._fault IS NULL) "
        "SELECT * FROM (SELECT 0 AS part, (o.n - 1) / %(_block)s AS block, "
        "string_agg(o.line, '' ORDER BY o.n) AS text, count(*) AS lines FROM o "
        "GROUP BY (o.n - 1) / %(_block)s "
        "UNION ALL SELECT 1, 0, NULL, count(*) FROM v WHERE v._fault IS NOT NULL) b "
        "ORDER BY b.part, b.block"
    )
    params = {**rows.params, "_block": int(block_lines)}
    refused = 0
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(blocks_sql, params)
        while True:
            fetched = cursor.fetchmany(8)
            if not fetched:
                break
            for part, _block, text, count in fetched:
                if part:
                    refused = int(count)
                    continue
                sink(text.encode())
                result.rows += int(count)
    if refused:
        _collect_faults(file_type, rows, body, result, refused, max_errors)
    return result


def _collect_faults(
    file_type: FileType,
    rows: SqlRows,
    body: str,
    result: Rendered,
    refused: int,
    max_errors: int,
) -> None:
    """The reasons of the refused rows (the first ``max_errors``)."""
    provided = set(rows.columns)
    keys = [k for k in file_type.key if k in provided]
    key_list = "".join(f"v.{_q(k)}, " for k in keys)
    faults_sql = (
        f"{body} SELECT {key_list}v._fault FROM v "
        f"WHERE v._fault IS NOT NULL ORDER BY {rows.order} LIMIT {int(max_errors)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(faults_sql, rows.params)
        faults = cursor.fetchall()
    result.rejected += refused
    for fault in faults:
        values, reason = fault[: len(keys)], fault[len(keys)]
        key = ", ".join(f"{k}={v}" for k, v in zip(keys, values, strict=True) if v)
        if len(result.errors) < max_errors:
            result.errors.append(f"{key}: {reason}" if key else str(reason))
