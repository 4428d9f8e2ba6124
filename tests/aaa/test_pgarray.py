"""The writer's hand-built array literals, checked by PostgreSQL itself."""

from __future__ import annotations

import math

from django.db import connection

from lastmile.aaa import pgarray

TRICKY = [
    "",
    "plain",
    'a "quoted" word',
    "back\\slash\\",
    "{braces},commas",
    "  spaces kept  ",
    "NULL",
    "юникод ✓",
    "tab\tnew\nline",
    None,
]


def _roundtrip(sql_type: str, literal: str) -> list[object]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT %s::{sql_type}", [literal])
        return list(cur.fetchone()[0])


def test_texts_roundtrip_exactly(db):  # type: ignore[no-untyped-def]
    assert _roundtrip("text[]", pgarray.texts(TRICKY)) == TRICKY


def test_nul_is_dropped_not_fatal(db):  # type: ignore[no-untyped-def]
    assert _roundtrip("text[]", pgarray.texts(["se\x00ss", "ok"])) == ["sess", "ok"]


def test_numbers_and_bools(db):  # type: ignore[no-untyped-def]
    ints = [0, -1, 2**63 - 1, None, 42]
    assert _roundtrip("bigint[]", pgarray.ints(ints)) == ints
    floats = [0.0, 1764254400.123456, -2.5e-7, None, math.pi]
    assert _roundtrip("float8[]", pgarray.floats(floats)) == floats
    assert _roundtrip("bool[]", pgarray.bools([True, False])) == [True, False]
    assert _roundtrip("bigint[]", pgarray.ints([])) == []
