"""Limit/offset pagination for every list of the API, bounded so that no query
string can ask for more rows than LASTMILE_API_MAX_PAGE_SIZE or for an offset
PostgreSQL cannot take (bigint overflow).  ``NINJA_PAGINATION_CLASS`` points
here, so a bare ``@paginate`` uses it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

# Far beyond any real table, far below bigint; an offset past it is a mistake.
MAX_OFFSET = 10**12


class Pages(LimitOffsetPagination):
    """``?limit=`` (1 … the maximum page size) and ``?offset=`` (0 … 10^12)."""

    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE,
            ge=1,
            le=settings.LASTMILE.api_max_page_size,
            description="Rows per page, at most LASTMILE_API_MAX_PAGE_SIZE.",
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        # The schema bounds the input; this bounds a caller that builds Input itself.
        limit = min(pagination.limit, settings.LASTMILE.api_max_page_size)
        offset = min(pagination.offset, MAX_OFFSET)
        return {"items": queryset[offset : offset + limit], "count": self._items_count(queryset)}
