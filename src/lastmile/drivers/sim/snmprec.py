"""The snmprec record format the simulators' data files are written in: a record,
the standard MIB tables' OID bases, and snmpsim's writable-record variation."""

from __future__ import annotations

Record = tuple[str, str, str]  # oid, tag, value

IF = "1.3.6.1.2.1.2.2.1"
IFX = "1.3.6.1.2.1.31.1.1.1"
DOT1D = "1.3.6.1.2.1.17"
DOT1Q = "1.3.6.1.2.1.17.7.1"


def w(tag: str, value: str) -> tuple[str, str]:
    """A writable record (snmpsim writecache)."""
    if tag == "4x":
        return "4x:writecache", f"hexvalue={value}"
    return f"{tag}:writecache", f"value={value}"
