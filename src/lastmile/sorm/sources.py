"""Where each file's rows come from.

A source turns a :class:`Window` into row dicts (column name → value) for
one file type.  Rows are streamed (server-side cursors, ``iterator``), never
collected, so a file of any size costs bounded memory.

Two families:

* **journal sources** read pghistory's event tables (see ``journal``): the
  state as of the window's end (full and as-of runs), or every version of
  the objects that changed since the previous run (incremental runs), each
  version with its own start and end;
* **window sources** (payments, AAA) read append-mostly tables by time and
  id, and dictionaries that are small enough to send whole every time.

The pieces: ``source_base`` (Window, JournalSource), ``journal_sources``
(the core apps' journal files), ``window_sources`` (payments, AAA,
dictionaries), ``parties_sources`` (contracts, address objects, individuals,
legal entities, access points) and ``sql_sources`` (the set-based queries
that write the big files of a full run).  This module is the registry: which
source feeds which file type.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

from django.apps import apps
from django.db import models

from lastmile.sorm import journal, window_sources
from lastmile.sorm.journal_sources import CUSTOMER_FIELDS, JOURNAL_SOURCES, reset_tariffs
from lastmile.sorm.source_base import JournalSource, Row, Window, _event_model
from lastmile.sorm.window_sources import WINDOW_SOURCES

__all__ = ["CUSTOMER_FIELDS", "JournalSource", "Row", "Window", "rows_for"]

PENDING_PARTIES = frozenset({"regions", "contracts", "fiz", "jur", "ap"})


def _parties_sources() -> dict[str, Callable[[Window], Iterable[Row]]]:
    from lastmile.sorm import parties_sources

    if not parties_sources.available():
        return {}
    wired: dict[str, Callable[[Window], Iterable[Row]]] = {
        code: source.rows for code, source in parties_sources.journal_sources().items()
    }
    individuals = wired["fiz"]
    wired["fiz"] = lambda window: itertools.chain(
        individuals(window), parties_sources.branch_people(window)
    )
    wired["regions"] = parties_sources.regions
    wired["contracts"] = parties_sources.contracts
    wired["jur"] = parties_sources.jur
    return wired


def all_journal_sources() -> list[JournalSource]:
    from lastmile.sorm import parties_sources

    extra = list(parties_sources.journal_sources().values()) if parties_sources.available() else []
    if apps.is_installed("lastmile.devices"):
        extra.append(window_sources.SWITCHES)
    return [*JOURNAL_SOURCES.values(), *extra]


def rows_for(code: str, window: Window) -> Iterable[Row]:
    wired = _parties_sources()
    if code in wired:
        return wired[code](window)
    if code in JOURNAL_SOURCES:
        return JOURNAL_SOURCES[code].rows(window)
    return WINDOW_SOURCES[code](window)


def seed_journal() -> int:
    """First journal entries for rows that have none (see journal.seed_missing)."""
    seeded = 0
    done: set[str] = set()
    for source in all_journal_sources():
        if source.event_label in done:
            continue
        done.add(source.event_label)
        seeded += journal.seed_missing(source.event_model, condition=source.seed_condition)
    return seeded


def watermark_models() -> list[tuple[type[models.Model], str]]:
    """Every table whose id is a watermark: the journal tables and payments."""
    labels = sorted({source.event_label for source in all_journal_sources()})
    return [(_event_model(label), "pgh_id") for label in labels] + [
        (apps.get_model("finance.Payment"), "id")
    ]


def reset_caches() -> None:
    from lastmile.sorm import parties_sources

    reset_tariffs()
    parties_sources.reset_caches()
