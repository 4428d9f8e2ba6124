"""The standard MIBs every switch driver reads (SNMPv2-MIB's system group, IF-MIB,
BRIDGE-MIB, Q-BRIDGE-MIB): their OIDs and the decoding of their values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lastmile.drivers.base import BadInput, LinkState

SYS_DESCR = "1.3.6.1.2.1.1.1.0"
SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
SYS_UPTIME_COLUMN = "1.3.6.1.2.1.1.3"  # as a GETBULK non-repeater: the next OID is .0
SYS_NAME = "1.3.6.1.2.1.1.5.0"
SYS_LOCATION = "1.3.6.1.2.1.1.6.0"

IF_NUMBER = "1.3.6.1.2.1.2.1.0"
IF_NUMBER_COLUMN = "1.3.6.1.2.1.2.1"  # as a GETBULK non-repeater: the next OID is .0
IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
IF_TYPE = "1.3.6.1.2.1.2.2.1.3"
IF_SPEED = "1.3.6.1.2.1.2.2.1.5"
IF_PHYS_ADDRESS = "1.3.6.1.2.1.2.2.1.6"
IF_ADMIN_STATUS = "1.3.6.1.2.1.2.2.1.7"
IF_OPER_STATUS = "1.3.6.1.2.1.2.2.1.8"
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
IF_HIGH_SPEED = "1.3.6.1.2.1.31.1.1.1.15"
IF_ALIAS = "1.3.6.1.2.1.31.1.1.1.18"

DOT1D_BASE_BRIDGE_ADDRESS = "1.3.6.1.2.1.17.1.1.0"
DOT1D_BASE_PORT_IFINDEX = "1.3.6.1.2.1.17.1.4.1.2"
DOT1D_TP_FDB_PORT = "1.3.6.1.2.1.17.4.3.1.2"
DOT1Q_TP_FDB_PORT = "1.3.6.1.2.1.17.7.1.2.2.1.2"
DOT1Q_TP_FDB_STATUS = "1.3.6.1.2.1.17.7.1.2.2.1.3"
DOT1Q_VLAN_FDB_ID = "1.3.6.1.2.1.17.7.1.4.2.1.3"
DOT1Q_VLAN_STATIC_NAME = "1.3.6.1.2.1.17.7.1.4.3.1.1"
DOT1Q_VLAN_STATIC_EGRESS = "1.3.6.1.2.1.17.7.1.4.3.1.2"
DOT1Q_VLAN_STATIC_UNTAGGED = "1.3.6.1.2.1.17.7.1.4.3.1.4"
DOT1Q_VLAN_STATIC_ROW_STATUS = "1.3.6.1.2.1.17.7.1.4.3.1.5"
DOT1Q_PVID = "1.3.6.1.2.1.17.7.1.4.5.1.1"

#: ifType values that are switch ports (ethernetCsmacd, fastEther, fastEtherFX, gigabitEthernet)
PORT_IF_TYPES = frozenset({6, 62, 69, 117})

FDB_STATUS_SELF = 4


def mac_text(raw: bytes | str | None) -> str:
    if not raw:
        return ""
    if isinstance(raw, str):
        raw = raw.encode()
    return ":".join(f"{b:02x}" for b in raw) if len(raw) == 6 else ""


def decode_portlist(raw: bytes | None) -> set[int]:
    """A Q-BRIDGE PortList: octet 0's high bit is bridge port 1."""
    ports: set[int] = set()
    for i, octet in enumerate(raw or b""):
        for bit in range(8):
            if octet & (0x80 >> bit):
                ports.add(i * 8 + bit + 1)
    return ports


def encode_portlist(ports: Iterable[int], length: int) -> bytes:
    ports = list(ports)
    need = max([(p - 1) // 8 + 1 for p in ports] + [length])
    data = bytearray(need)
    for p in ports:
        if p < 1:
            raise BadInput(f"bridge port {p} is not a port")
        data[(p - 1) // 8] |= 0x80 >> ((p - 1) % 8)
    return bytes(data)


def link_state(oper: Any) -> LinkState:
    if oper == 1:
        return LinkState.UP
    if oper in (2, 7):  # down, lowerLayerDown
        return LinkState.DOWN
    return LinkState.UNKNOWN


def check_vid(vid: int) -> int:
    if not isinstance(vid, int) or isinstance(vid, bool) or not 1 <= vid <= 4094:
        raise BadInput(f"VLAN {vid!r} is out of range: a VLAN id is 1 to 4094")
    return vid


def text(raw: Any) -> str:
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "replace").strip("\x00").strip()
    return "" if raw is None else str(raw)
