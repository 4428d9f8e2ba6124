"""An async SNMP client over pysnmp 7: get, get_many, bulk walk, set; v2c and v3.

This module holds the operations; one request/response exchange (pysnmp, the
fast v1/v2c codec, credentials and the error mapping) is ``snmp_exchange``,
and the value types and conversions are ``snmp_values``.  Values come back
as plain Python: ``int`` for every integer type (INTEGER, Counter, Gauge,
TimeTicks), ``bytes`` for OCTET STRING, ``str`` for OIDs and IP addresses,
``None`` for noSuchObject / noSuchInstance / endOfMibView.  OIDs are dotted
strings without a leading dot.

Errors: no answer within ``timeout_s`` after ``retries`` → ``DeviceUnreachable``;
an error status (noSuchName, notWritable, wrongValue …) or anything the
library raises → ``DeviceError``.  No pysnmp exception leaves the client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from lastmile.drivers.base import DeviceError, Target
from lastmile.drivers.snmp_exchange import SnmpExchange

_T = TypeVar("_T")

__all__ = [
    "SnmpClient",
    "bounded_gather",
    "client",
    "oid_suffix",
]


def oid_suffix(oid: str, prefix: str) -> tuple[int, ...]:
    """The index part of ``oid`` under ``prefix`` as integers."""
    rest = oid[len(prefix) + 1 :]
    return tuple(int(p) for p in rest.split(".")) if rest else ()


def _is_under(oid: str, prefix: str) -> bool:
    return oid.startswith(prefix + ".")


class SnmpClient(SnmpExchange):
    """SNMP to one device.  Cheap to create; every call has its own timeout and retries."""

    # -- operations -------------------------------------------------------
    async def get(self, oid: str, **kw: Any) -> Any:
        """One value (``None`` when the device has no such object)."""
        return (await self.get_many([oid], **kw))[oid]

    async def get_many(self, oids: Sequence[str], *, chunk: int = 40, **kw: Any) -> dict[str, Any]:
        """Several values, ``chunk`` OIDs per request; missing objects are ``None``."""
        result: dict[str, Any] = {}
        for start in range(0, len(oids), chunk):
            part = list(oids[start : start + chunk])
            answer = await self._request("get", [(o, None) for o in part], **kw)
            if len(answer) != len(part):
                raise DeviceError(f"{self.target.host}: the answer does not match the request")
            for asked, (_oid, value) in zip(part, answer, strict=True):
                result[asked] = value
        return result

    async def bulk(
        self,
        non_repeaters: Sequence[str],
        repeaters: Sequence[str],
        max_repetitions: int = 25,
        **kw: Any,
    ) -> list[tuple[str, Any]]:
        """One GETBULK: the raw var-binds in wire order."""
        vbs = [(o, None) for o in (*non_repeaters, *repeaters)]
        return await self._request(
            "bulk",
            vbs,
            non_repeaters=len(non_repeaters),
            max_repetitions=max_repetitions,
            **kw,
        )

    async def walk(
        self, oid: str, *, max_repetitions: int = 25, limit: int = 100_000, **kw: Any
    ) -> list[tuple[str, Any]]:
        """Every (oid, value) under ``oid`` with GETBULK (GETNEXT for SNMP v1)."""
        return (await self.walk_columns([oid], max_repetitions=max_repetitions, limit=limit, **kw))[
            oid
        ]

    async def walk_columns(
        self,
        columns: Sequence[str],
        *,
        max_repetitions: int = 25,
        limit: int = 100_000,
        **kw: Any,
    ) -> dict[str, list[tuple[str, Any]]]:
        """Walk several table columns side by side: as few packets as the table allows."""
        out: dict[str, list[tuple[str, Any]]] = {c: [] for c in columns}
        cursor = {c: c for c in columns}
        active = list(columns)
        v1 = self.target.snmp.version == "1"
        rounds = 0
        while active:
            rounds += 1
            if rounds > limit:
                raise DeviceError(f"{self.target.host}: the table does not end")
            if v1:
                answer = await self._request("next", [(cursor[c], None) for c in active], **kw)
                reps = 1
            else:
                reps = (
                    max(1, max_repetitions // len(active)) if len(active) > 1 else max_repetitions
                )
                answer = await self._request(
                    "bulk",
                    [(cursor[c], None) for c in active],
                    non_repeaters=0,
                    max_repetitions=reps,
                    **kw,
                )
            if not answer:
                break
            width = len(active)
            finished: set[str] = set()
            for i, (oid, value) in enumerate(answer):
                col = active[i % width]
                if col in finished:
                    continue
                if value is None or not _is_under(oid, col):  # endOfMibView or past the column
                    finished.add(col)
                    continue
                if _oid_key(oid) <= _oid_key(cursor[col]):
                    raise DeviceError(f"{self.target.host}: the agent returned OIDs out of order")
                out[col].append((oid, value))
                cursor[col] = oid
            if len(answer) < width:
                finished.update(active[len(answer) :])
            active = [c for c in active if c not in finished]
        return out

    async def set(self, items: Sequence[tuple[str, Any]], **kw: Any) -> None:
        """One SET of several objects (all or nothing on the agent's side)."""
        if not items:
            return
        if not self._write:
            await SnmpClient(self.target, write=True).set(items, **kw)
            return
        await self._request("set", list(items), **kw)


def _oid_key(oid: str) -> tuple[int, ...]:
    return tuple(int(p) for p in oid.split(".") if p)


def client(target: Target) -> SnmpClient:
    return SnmpClient(target)


async def bounded_gather(
    factories: Iterable[Callable[[], Awaitable[_T]]], concurrency: int
) -> list[_T | BaseException]:
    """Run coroutine factories with at most ``concurrency`` in flight; results in order.

    An exception of one does not stop the others; it takes that one's place in
    the result list.
    """
    sem = asyncio.Semaphore(max(1, concurrency))

    async def one(factory: Callable[[], Awaitable[_T]]) -> _T | BaseException:
        async with sem:
            try:
                return await factory()
            except Exception as exc:
                return exc

    return list(await asyncio.gather(*(one(f) for f in factories)))
