"""Schemas shared by all routers."""

from __future__ import annotations

from ninja import Schema


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None
