"""Circuit-id layouts, one parser per vendor format (registered in ``FORMATS``)."""

from __future__ import annotations

import re

from lastmile.radius.option82.readers import (
    _INTERFACE_KINDS,
    _mac_from_bytes,
    _name,
    _numbers,
    _numeric,
    _text,
    _vlan,
)
from lastmile.radius.option82.values import (
    SwitchPort,
    _Circuit,
)

# ---- circuit-id layouts ----------------------------------------------------


def _circuit_vlan_module_port(raw: bytes) -> _Circuit | None:
    """00 04 | VLAN (2) | module (1) | port (1)."""
    if len(raw) != 6 or raw[:2] != b"\x00\x04":
        return None
    return _numeric(int.from_bytes(raw[2:4], "big"), (raw[4], raw[5]))


def _circuit_huawei_extend(raw: bytes) -> _Circuit | None:
    """00 04 | S-VLAN (2) | slot (5 bits) subslot (3 bits) | port (1)."""
    if len(raw) != 6 or raw[:2] != b"\x00\x04":
        return None
    return _numeric(int.from_bytes(raw[2:4], "big"), (raw[4] >> 3, raw[4] & 7, raw[5]))


def _circuit_vlan_module_port_bare(raw: bytes) -> _Circuit | None:
    """VLAN (2) | module (1) | port (1), no type/length header."""
    if len(raw) != 4:
        return None
    return _numeric(int.from_bytes(raw[:2], "big"), (raw[2], raw[3]))


def _circuit_dlink_vendor1(raw: bytes) -> _Circuit | None:
    """00 06 | VLAN (2) | slot (2) | port (2) | 01 06 | switch MAC (6)."""
    if len(raw) != 16 or raw[:2] != b"\x00\x06" or raw[8:10] != b"\x01\x06":
        return None
    mac = _mac_from_bytes(raw[10:16])
    slot, port = int.from_bytes(raw[4:6], "big"), int.from_bytes(raw[6:8], "big")
    return _numeric(int.from_bytes(raw[2:4], "big"), (slot, port), mac) if mac else None


def _circuit_string_tlv(raw: bytes) -> _Circuit | None:
    """01 | n | operator-configured string (n octets)."""
    if len(raw) < 3 or raw[0] != 1 or raw[1] != len(raw) - 2:
        return None
    return _circuit_label(raw[2:])


def _circuit_label(raw: bytes) -> _Circuit | None:
    label = " ".join((_text(raw) or "").split()).lower()
    return _Circuit(SwitchPort(label=label)) if label else None


_DLINK_PORT_NUMBER = re.compile(r"p(\d{1,3})", re.ASCII)


def _circuit_dlink_vendor2(raw: bytes) -> _Circuit | None:
    """``p02``: port 2; ``p129``: port 1 of unit 3 (64 ports reserved per unit)."""
    match = _DLINK_PORT_NUMBER.fullmatch(_text(raw) or "")
    number = int(match.group(1)) if match else 0
    if not 1 <= number <= 768:
        return None
    return _Circuit(SwitchPort(((number - 1) // 64 + 1, (number - 1) % 64 + 1)))


_DLINK_VENDOR4 = re.compile(
    r"(?P<node>\S.{0,127})-(?P<unit>\d{1,2})/(?P<port>\d{1,3})-(?P<vlan>\d{1,4})", re.ASCII
)


def _circuit_dlink_vendor4(raw: bytes) -> _Circuit | None:
    """``<system name>-<module>/<port>-<client VLAN>``."""
    match = _DLINK_VENDOR4.fullmatch(_text(raw) or "")
    if match is None:
        return None
    numbers = (int(match["unit"]), int(match["port"]))
    return _numeric(int(match["vlan"]), numbers, _name(match["node"]))


_TR101 = re.compile(
    r"(?:(?P<node>\S(?:.{0,126}\S)?) )?eth "
    r"(?P<nums>\d{1,4}(?:/\d{1,4}){1,4})(?::(?P<vlan>\d{1,4}))?",
    re.ASCII,
)


def _circuit_tr101(raw: bytes) -> _Circuit | None:
    """``[<access node>] eth <chassis>/<slot>/<port>[:<VLAN>]`` (TR-101 syntax)."""
    match = _TR101.fullmatch(_text(raw) or "")
    if match is None:
        return None
    valid, vlan = _vlan(match["vlan"])
    port = SwitchPort(_numbers(match["nums"]))
    return _Circuit(port, vlan=vlan, node=_name(match["node"])) if valid else None


_HUAWEI_TEXT = re.compile(
    r"(?P<kind>[A-Za-z]{2,24}) ?(?P<nums>\d{1,4}(?:/\d{1,4}){1,3})"
    r":(?P<svlan>\d{1,4})\.(?P<cvlan>\d{1,4}) (?P<tail>\S.{0,160})",
    re.ASCII,
)
_HUAWEI_TAIL = re.compile(r"(?P<host>.+?)/?0/0/0/0/0")


def _circuit_huawei_text(raw: bytes) -> _Circuit | None:
    """``<interface>:<S-VLAN>.<C-VLAN> <host name>/0/0/0/0/0``."""
    match = _HUAWEI_TEXT.fullmatch(_text(raw) or "")
    kind = _INTERFACE_KINDS.get(match["kind"].lower(), "") if match else ""
    if match is None or not kind:
        return None
    svlan_ok, svlan = _vlan(match["svlan"])
    cvlan_ok, cvlan = _vlan(match["cvlan"])
    tail = _HUAWEI_TAIL.fullmatch(match["tail"])
    host = tail["host"] if tail else match["tail"].split("/")[0]
    port = SwitchPort(_numbers(match["nums"]), kind=kind)
    if not (svlan_ok and cvlan_ok):
        return None
    vlan, outer = (cvlan, svlan) if cvlan else (svlan, None)
    return _Circuit(port, vlan=vlan, svlan=outer, node=_name(host))


_JUNIPER = re.compile(
    r"(?:(?P<host>[^\s:]{1,64}):)?(?P<kind>fe|ge|xe|et|mge)-(?P<nums>\d{1,3}/\d{1,3}/\d{1,3})"
    r"(?:\.(?P<unit>\d{1,5}))?(?::(?P<tail>\S{1,64}))?",
    re.ASCII,
)
_JUNIPER_VLANS = re.compile(r"(?:(?P<svlan>\d{1,4})-)?(?P<vlan>\d{1,4})", re.ASCII)


def _circuit_juniper(raw: bytes) -> _Circuit | None:
    """``[<host>:]ge-<fpc>/<pic>/<port>[.<unit>][:<VLAN>|:<S-VLAN>-<VLAN>|:<VLAN name>]``."""
    match = _JUNIPER.fullmatch(_text(raw) or "")
    if match is None:
        return None
    vlans = _JUNIPER_VLANS.fullmatch(match["tail"] or "")
    svlan_ok, svlan = _vlan(vlans["svlan"] if vlans else None)
    vlan_ok, vlan = _vlan(vlans["vlan"] if vlans else None)
    port = SwitchPort(_numbers(match["nums"]), kind=f"{match['kind']}-")
    return _Circuit(port, vlan, svlan, _name(match["host"])) if svlan_ok and vlan_ok else None


_CISCO = re.compile(
    r"(?P<kind>[A-Za-z]{2,24})(?P<nums>\d{1,3}(?:/\d{1,3}){0,3})(?::(?P<vlan>\d{1,4}))?", re.ASCII
)


def _circuit_cisco(raw: bytes) -> _Circuit | None:
    """``Gi1/0/24``, ``GigabitEthernet1/0/24``, ``Fa0/1:100``."""
    match = _CISCO.fullmatch(_text(raw) or "")
    kind = _INTERFACE_KINDS.get(match["kind"].lower(), "") if match else ""
    if match is None or not kind:
        return None
    valid, vlan = _vlan(match["vlan"])
    return _Circuit(SwitchPort(_numbers(match["nums"]), kind=kind), vlan) if valid else None


_PON_WORD = re.compile(rb"(?<![a-z])[gxe]?pon(?![a-z])", re.IGNORECASE)


def _circuit_pon_location(raw: bytes) -> _Circuit | None:
    """PON: the remote-id names the ONU and the key; the circuit-id must be
    empty or an OLT location that says it is PON, so that a switch port with a
    MAC in its remote-id is never read as an ONU."""
    return _Circuit() if not raw or _PON_WORD.search(raw) else None


def _circuit_ignored(raw: bytes) -> _Circuit | None:
    return _Circuit()


def _circuit_any_text(raw: bytes) -> _Circuit | None:
    return _circuit_label(raw)
