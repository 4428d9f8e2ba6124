"""The values drivers SET over SNMP and the translation of pysnmp values to plain Python.

Values come back as plain Python: ``int`` for every integer type (INTEGER,
Counter, Gauge, TimeTicks), ``bytes`` for OCTET STRING, ``str`` for OIDs and
IP addresses, ``None`` for noSuchObject / noSuchInstance / endOfMibView.
A plain ``int`` is SET as INTEGER; ``Gauge`` and ``TimeTicks`` say otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# pysnmp is imported lazily (first use), as in lastmile.drivers.snmp_exchange.

__all__ = ["Gauge", "TimeTicks", "plain", "typed"]


@dataclass(frozen=True)
class Gauge:
    """A value to SET as Gauge32/Unsigned32 (a plain ``int`` is sent as INTEGER)."""

    value: int


@dataclass(frozen=True)
class TimeTicks:
    value: int


def plain(value: Any) -> Any:
    """A pysnmp value as plain Python."""
    from pyasn1.type import univ
    from pysnmp.proto import rfc1902, rfc1905

    if isinstance(value, (rfc1905.NoSuchObject, rfc1905.NoSuchInstance, rfc1905.EndOfMibView)):
        return None
    if isinstance(value, univ.Null):
        return None
    if isinstance(value, rfc1902.IpAddress):
        return ".".join(str(b) for b in value.asOctets())
    if isinstance(value, univ.ObjectIdentifier):
        return ".".join(str(n) for n in value)
    if isinstance(value, univ.OctetString):
        return bytes(value.asOctets())
    if isinstance(value, univ.Integer):
        return int(value)
    return value.prettyPrint()  # pragma: no cover - no other SMI types exist


def typed(value: Any) -> Any:
    from pysnmp.proto import rfc1902

    if isinstance(value, bool):
        return rfc1902.Integer32(int(value))
    if isinstance(value, int):
        return rfc1902.Integer32(value)
    if isinstance(value, Gauge):
        return rfc1902.Gauge32(value.value)
    if isinstance(value, TimeTicks):
        return rfc1902.TimeTicks(value.value)
    if isinstance(value, bytes | bytearray):
        return rfc1902.OctetString(bytes(value))
    if isinstance(value, str):
        return rfc1902.OctetString(value.encode())
    raise TypeError(f"cannot SET a {type(value).__name__}")
