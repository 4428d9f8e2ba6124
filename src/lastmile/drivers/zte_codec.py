"""ZTE C320 values: signal and serial decoding, fiber names ↔ ifIndex, and
the VLANs in an ONU's running configuration (golden-tested; see ``zte``)."""

from __future__ import annotations

import re
from typing import Any

from lastmile.drivers.base import BadInput

SERIAL_RE = re.compile(r"^[A-Z0-9]{4}[0-9A-F]{8}$")
FIBER_RE = re.compile(r"^gpon-olt_(\d+)/(\d+)/(\d+)$")
NAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{0,32}$")
MAX_ONUS = 128


def decode_onu_power(raw: Any) -> float | None:
    """ZTE ONU rx/tx optical power → dBm (see the module docstring)."""
    if not isinstance(raw, int) or isinstance(raw, bool):
        return None
    if 0 <= raw <= 30000:
        return round(raw * 0.002 - 30, 3)
    if 60000 <= raw <= 65534:
        return round((raw - 65534) * 0.002 - 30, 3)
    return None


def decode_olt_rx(raw: Any) -> float | None:
    if not isinstance(raw, int) or isinstance(raw, bool) or raw <= -80000 or raw >= 65535:
        return None
    return round(raw / 1000, 3)


def decode_serial(raw: Any) -> str:
    """8 octets (vendor letters + 4 bytes) → ``ZTEGC0A10001``; text serials pass through."""
    if isinstance(raw, bytes):
        if len(raw) == 8 and raw[:4].isalnum():
            return raw[:4].decode("ascii").upper() + raw[4:].hex().upper()
        return raw.decode("ascii", "replace").strip().upper()
    return str(raw or "").upper()


def fiber_ifindex(fiber: str) -> int:
    m = FIBER_RE.match(fiber)
    if not m:
        raise BadInput(f"{fiber!r} is not a GPON port name such as gpon-olt_1/1/1")
    shelf, slot, port = (int(g) for g in m.groups())
    return (1 << 28) | ((shelf - 1) << 24) | (slot << 16) | (port << 8)


def fiber_name(ifindex: int) -> str:
    shelf = ((ifindex >> 24) & 0xF) + 1
    return f"gpon-olt_{shelf}/{(ifindex >> 16) & 0xFF}/{(ifindex >> 8) & 0xFF}"


def check_serial(serial: str) -> str:
    s = (serial or "").strip().upper()
    if not SERIAL_RE.match(s):
        raise BadInput(
            f"{serial!r} is not a GPON serial: 4 letters or digits and 8 hex digits, "
            "e.g. ZTEGC0A10001"
        )
    return s


def expand_vlans(text: str) -> list[int]:
    """``300-302,310`` → [300, 301, 302, 310] (every item, the last one too)."""
    out: list[int] = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        if "-" in item:
            lo, _, hi = item.partition("-")
            a, b = int(lo), int(hi)
            if a > b or b - a > 4094:
                continue
            out.extend(range(a, b + 1))
        else:
            out.append(int(item))
    return [v for v in out if 1 <= v <= 4094]


_VLAN_PATTERNS = (
    re.compile(r"^\s*service-port \d+ vport \d+ user-vlan (\d+)(?: user-etype \S+)? vlan (\d+)"),
    re.compile(r"^\s*switchport vlan ([\d,\-]+)"),
    re.compile(r"^\s*vlan port \S+ mode (?:tag|trunk|hybrid) vlan ([\d,\-]+)"),
    re.compile(r"^\s*service \S+ gemport \d+ (?:cos \d+ )?vlan (\d+)"),
)


def parse_onu_vlans(text: str) -> tuple[int, ...]:
    """Every VLAN in ``show run interface gpon-onu_…`` / ``show onu running config``
    output, sorted, each once — including the one on the output's last line."""
    found: set[int] = set()
    for line in text.splitlines():
        for pattern in _VLAN_PATTERNS:
            m = pattern.match(line)
            if m:
                for group in m.groups():
                    if group:
                        found.update(expand_vlans(group))
    return tuple(sorted(found))
