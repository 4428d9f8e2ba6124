"""Sorting the customer list by a column of another table, one page at a time.

Balance (the finance account) and paid until (the active subscription) are
missing for some customers, so the list sorts them through a LEFT JOIN:
PostgreSQL then joins every customer before it can keep the first 50
(60-75 ms at 100,000 customers, whatever the page).  The customers that
have the row and those that do not are two queries each of which an index
can serve in order (account balance; the active subscriptions' period end),
and the missing ones sort as one block (NULL: last ascending, first
descending, as PostgreSQL sorts them), so a page is a slice of the first
query and, where that runs out, of the second.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet


class SplitByMissingOrder:
    """The rows of ``queryset`` sorted by ``key`` (NULL where the joined row
    is missing), then by primary key, for paging and export.

    ``present`` holds the rows whose key is set, ``missing`` the others
    (``queryset`` narrowed two ways); it offers what django-tables2's data
    container and Django's paginator use: ``count()``, ``len()`` and slices.
    """

    def __init__(
        self,
        queryset: QuerySet[Any],
        *,
        key: str,
        present: QuerySet[Any],
        missing: QuerySet[Any],
        descending: bool,
    ) -> None:
        self.queryset = queryset
        self.model = queryset.model
        sort_key = F(key).desc() if descending else F(key).asc()
        pk = "-pk" if descending else "pk"
        ordered_present = present.order_by(sort_key, pk)
        ordered_missing = missing.order_by(pk)
        # PostgreSQL's default: NULLS LAST ascending, NULLS FIRST descending.
        self._parts = (
            (ordered_missing, ordered_present) if descending else (ordered_present, ordered_missing)
        )
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def order_by(self, *fields: Any) -> QuerySet[Any]:
        """Sorted another way: the plain queryset again (django-tables2 re-sorts its data)."""
        return self.queryset.order_by(*fields)

    def __iter__(self) -> Any:
        return iter(self[0 : self.count()])

    def __getitem__(self, key: Any) -> Any:
        if not isinstance(key, slice):
            rows = self[key : key + 1]
            if not rows:
                raise IndexError(key)
            return rows[0]
        if key.step not in (None, 1) or (key.start or 0) < 0 or (key.stop or 0) < 0:
            raise ValueError("only forward slices with non-negative bounds")
        start = key.start or 0
        stop = self.count() if key.stop is None else key.stop
        if stop <= start:
            return []
        first, second = self._parts
        rows = list(first[start:stop])
        wanted = stop - start
        if len(rows) == wanted:
            return rows
        # The first part ran out inside or before this slice.
        first_count = start + len(rows) if rows or start == 0 else first.count()
        skip = max(0, start - first_count)
        return rows + list(second[skip : skip + wanted - len(rows)])
