"""PostgreSQL array literals built with ``str.join``, for the RADIUS writer.

The writer sends a batch as one ``unnest(%s::bigint[], %s::text[], …)``
statement.  psycopg dumps a Python list element by element in Python, which
was a fifth of the RADIUS server's CPU under accounting load (py-spy, see
docs/benchmarks.md); these builders do the same work in a few C-level calls.
The result is an array literal (``{1,2,NULL}``) that the SQL casts to the
array type, so PostgreSQL still parses and type-checks every element.
"""

from __future__ import annotations

from collections.abc import Iterable

_NULL = "NULL"


def ints(values: Iterable[int | None]) -> str:
    """``bigint[]``/``int[]`` literal; ``None`` is NULL."""
    return "{" + ",".join(_NULL if v is None else str(int(v)) for v in values) + "}"


def floats(values: Iterable[float | None]) -> str:
    """``float8[]`` literal (``repr`` keeps every bit); ``None`` is NULL."""
    return "{" + ",".join(_NULL if v is None else repr(float(v)) for v in values) + "}"


def bools(values: Iterable[bool]) -> str:
    return "{" + ",".join("t" if v else "f" for v in values) + "}"


def texts(values: Iterable[str | None]) -> str:
    """``text[]`` literal; every element quoted, ``\\`` and ``"`` escaped.

    A NUL character cannot be stored in PostgreSQL text: it is dropped, so a
    NAS sending one in a session id still gets its record stored (and the
    rest of the batch is not failed by it)."""
    return "{" + ",".join(_NULL if v is None else _quote(v) for v in values) + "}"


def _quote(value: str) -> str:
    if "\\" in value or '"' in value or "\x00" in value:
        value = value.replace("\x00", "").replace("\\", "\\\\").replace('"', '\\"')
    return '"' + value + '"'
