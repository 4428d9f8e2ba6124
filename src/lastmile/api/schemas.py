"""Schemas shared by all routers."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, TypeVar

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None


# Bounds of PostgreSQL's integer columns: a larger number is refused as 422 by the
# schema, before it reaches the database as "integer out of range".
INT32_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1

PositiveInt32 = Annotated[int, Field(ge=1, le=INT32_MAX)]
"""A positive ``integer``/``PositiveIntegerField`` column value (speeds, counts)."""

ObjectId = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
"""A primary key (``bigint``) in a path, a query or a body."""


def _ip_address(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 or IPv6 address") from None


IpAddressText = Annotated[str, AfterValidator(_ip_address)]
"""An IPv4 or IPv6 address given as text, normalised (``10.0.0.1``, ``2001:db8::1``)."""


T = TypeVar("T")


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may be left out, but cannot be null")
    return value


Omittable = Annotated[T | None, BeforeValidator(_not_null)]
"""A PATCH field that may be left out but not sent as ``null`` (its column is NOT NULL).

Defaults are not validated, so ``x: Omittable[str] = None`` is ``None`` when left out
(and ``exclude_unset`` drops it) while an explicit ``null`` is refused with 422."""
