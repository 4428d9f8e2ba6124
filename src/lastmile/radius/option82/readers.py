"""Small readers shared by the layouts: text, hex text, MACs, names, numbers."""

from __future__ import annotations

import re

from lastmile.radius.option82.values import (
    MAX_NAME_CHARS,
    SwitchPort,
    _Circuit,
)

# ---- small readers ---------------------------------------------------------

_PRINTABLE = frozenset(range(0x20, 0x7F))
_HEX_TEXT = re.compile(r"(0[xX])?([0-9a-fA-F]{2}(?:[ :.-]?[0-9a-fA-F]{2})*)")
_MAC_TEXTS = (
    re.compile(r"[0-9a-f]{2}(?P<s>[:-]?)[0-9a-f]{2}(?:(?P=s)[0-9a-f]{2}){4}", re.I),
    re.compile(r"[0-9a-f]{4}(?P<s>[.-])[0-9a-f]{4}(?P=s)[0-9a-f]{4}", re.I),
)
_GPON_SN = re.compile(r"[A-Za-z]{4}[0-9A-Fa-f]{8}")
# Interface type names and their abbreviations, one short form per type.
_INTERFACE_KINDS = {
    "fa": "fa", "fastethernet": "fa",
    "gi": "gi", "gigabitethernet": "gi", "ge": "gi",
    "te": "te", "tengigabitethernet": "te", "xgigabitethernet": "xgi", "xge": "xgi",
    "twe": "twe", "twentyfivegige": "twe", "fo": "fo", "fortygigabitethernet": "fo",
    "hu": "hu", "hundredgige": "hu",
    "eth": "eth", "ethernet": "eth", "trunk": "trunk",
}  # fmt: skip


def _text(value: bytes) -> str | None:
    """Printable ASCII or nothing: no control bytes, no look-alike Unicode."""
    if not value or not _PRINTABLE.issuperset(value):
        return None
    return value.decode("ascii")


def _decode_hex_text(value: bytes) -> bytes:
    text = _text(value)
    match = _HEX_TEXT.fullmatch(text.strip()) if text else None
    if match is None:
        return value
    decoded = bytes.fromhex(re.sub(r"[ :.-]", "", match.group(2)))
    if match.group(1) or not _PRINTABLE.issuperset(decoded):
        return decoded
    return value


def _mac_from_bytes(raw: bytes) -> str | None:
    if len(raw) != 6 or raw in (b"\x00" * 6, b"\xff" * 6):
        return None
    return ":".join(f"{octet:02x}" for octet in raw)


def _mac_from_text(text: str) -> str | None:
    if not any(pattern.fullmatch(text) for pattern in _MAC_TEXTS):
        return None
    return _mac_from_bytes(bytes.fromhex(re.sub(r"[:.-]", "", text)))


def _name(text: str | None) -> str:
    folded = " ".join((text or "").split()).lower()
    return f"name:{folded}" if folded and len(folded) <= MAX_NAME_CHARS else ""


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("/"))


def _vlan(value: int | str | None) -> tuple[bool, int | None]:
    """(valid, vlan): 0 or absent means untagged; above 4094 is not a VLAN."""
    number = int(value) if value is not None else 0
    return number <= 4094, number or None


def _numeric(vid: int, numbers: tuple[int, ...], node: str = "") -> _Circuit | None:
    valid, vlan = _vlan(vid)
    return _Circuit(SwitchPort(numbers), vlan=vlan, node=node) if valid else None
