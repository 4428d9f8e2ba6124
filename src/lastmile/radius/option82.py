"""DHCP option 82 relay agent identity: the circuit-id and remote-id sub-options
(RFC 3046, sub-options 1 and 2) as a NAS relays them in the ADSL-Forum VSAs
Agent-Circuit-Id and Agent-Remote-Id (RFC 4679, vendor 3561, types 1 and 2).

``parse_relay_agent(remote_id, circuit_id)`` returns a ``RelayAgentId``; its
``key()`` is the ``(switch, port)`` pair that a binding lookup compares.  Each
supported layout is one small parser registered in ``FORMATS``;
docs/operator-guide.md ("Option 82 formats") lists them with their sources.

Rules that keep one customer's port from ever being matched to another's:

- a value that matches no layout, or matches two layouts that disagree on the
  key, raises ``Option82Error`` with a stable ``reason`` code: never a guess;
- without a switch identity (the remote-id, or a node name or MAC inside the
  circuit-id) nothing matches, because a bare port number exists on every switch;
- a value written in hex (``0x…``, or only hex digit pairs, optionally split by
  ``:``, ``-``, ``.`` or spaces, that decode to non-printable bytes) is read as
  the bytes it encodes, so the NAS's text and raw forms give one key;
- inputs over ``MAX_VALUE_OCTETS`` are refused before parsing, and nothing but
  ``Option82Error`` leaves this module whatever the bytes.

Django-free and independent of the rest of lastmile: the caller passes the
operator's choice of layout as ``format=`` (``None`` means auto-detection).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "FORMATS",
    "MAX_VALUE_OCTETS",
    "Option82Error",
    "Option82Format",
    "RelayAgentId",
    "SwitchPort",
    "parse_relay_agent",
    "relay_key",
]

MAX_VALUE_OCTETS = 253  # the most one RADIUS attribute can carry (RFC 2865 §5)
MAX_NAME_CHARS = 128  # D-Link truncates system names to 128 bytes; so do we

# Reason codes carried by Option82Error (stable: logs and UI messages key on them).
EMPTY = "empty"
TOO_LONG = "too_long"
NOT_BYTES = "not_bytes"
UNKNOWN_FORMAT_NAME = "unknown_format_name"
NO_MATCH = "no_match"
AMBIGUOUS = "ambiguous"


class Option82Error(ValueError):
    """A relay agent value that cannot be matched safely; ``reason`` is a stable code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"option 82 refused ({reason}): {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class SwitchPort:
    """Where on the switch: the numbers the format carries (unit/slot/port…),
    an interface kind for named interfaces (``gi``, ``ge-``, ``eth``), or an
    operator-defined label.  ``canonical`` is the port half of the key."""

    numbers: tuple[int, ...] = ()
    kind: str = ""
    label: str = ""

    @property
    def unit(self) -> int | None:
        """Stack unit, module, chassis or FPC: the first number of several."""
        return self.numbers[0] if len(self.numbers) >= 2 else None

    @property
    def slot(self) -> int | None:
        return self.numbers[1] if len(self.numbers) >= 3 else None

    @property
    def port(self) -> int | None:
        return self.numbers[-1] if self.numbers else None

    @property
    def canonical(self) -> str:
        """Named interfaces keep every number; plain numbers drop all-zero middle
        positions, so ``eth 1/0/5`` (TR-101) and module 1 port 5 (binary) agree."""
        if self.label:
            return f"text:{self.label}"
        if self.kind:
            return self.kind + "/".join(map(str, self.numbers))
        if len(self.numbers) > 2 and not any(self.numbers[1:-1]):
            return f"{self.numbers[0]}/{self.numbers[-1]}"
        return "/".join(map(str, self.numbers))


@dataclass(frozen=True, slots=True)
class RelayAgentId:
    """A parsed relay agent identity.  ``switch`` is ``aa:bb:cc:dd:ee:ff``,
    ``name:<lower-case name>``, or for a PON ONU ``onu:<mac>`` / ``onu-sn:<SN>``."""

    format: str
    switch: str
    port: SwitchPort
    vlan: int | None = None
    svlan: int | None = None
    onu_mac: str = ""
    onu_serial: str = ""

    def key(self) -> tuple[str, str]:
        """``(switch, port)``: the same for one port whatever encoding carried it."""
        return self.switch, self.port.canonical


@dataclass(frozen=True, slots=True)
class _Circuit:
    port: SwitchPort = SwitchPort()
    vlan: int | None = None
    svlan: int | None = None
    node: str = ""  # a switch identity carried inside the circuit-id


@dataclass(frozen=True, slots=True)
class _Remote:
    switch: str = ""
    onu_mac: str = ""
    onu_serial: str = ""


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


# ---- remote-id layouts -----------------------------------------------------


def _switch_mac_tlv(raw: bytes) -> str | None:
    return _mac_from_bytes(raw[2:]) if len(raw) == 8 and raw[:2] == b"\x00\x06" else None


def _switch_string_tlv(raw: bytes) -> str | None:
    if len(raw) < 3 or raw[0] != 1 or raw[1] != len(raw) - 2:
        return None
    return _name(_text(raw[2:]))


def _switch_eltex(raw: bytes) -> str | None:
    """Eltex TR-101 mode: enterprise number 0089c1, then the switch MAC."""
    return _mac_from_bytes(raw[3:]) if len(raw) == 9 and raw[:3] == b"\x00\x89\xc1" else None


def _switch_raw_mac(raw: bytes) -> str | None:
    return _mac_from_bytes(raw) if _text(raw) is None else None


def _switch_text(raw: bytes) -> str | None:
    text = _text(raw)
    return (_mac_from_text(text) or _name(text)) if text else None


# Tried in order; by construction at most the last two can both apply to a
# value, and a text MAC is read as a MAC before it could be read as a name.
_SWITCH_ID_LAYOUTS: tuple[Callable[[bytes], str | None], ...] = (
    _switch_mac_tlv,
    _switch_string_tlv,
    _switch_eltex,
    _switch_raw_mac,
    _switch_text,
)


def _remote_switch(raw: bytes) -> _Remote | None:
    if not raw:
        return _Remote()
    for read in _SWITCH_ID_LAYOUTS:
        switch = read(raw)
        if switch:
            return _Remote(switch=switch)
    return None


def _remote_onu(raw: bytes) -> _Remote | None:
    """The ONU's MAC (text, or six raw octets) or its GPON serial number
    (``ZTEGC0A1B2C3``, or four vendor letters and four raw octets)."""
    text = _text(raw)
    mac = _mac_from_text(text) if text else _mac_from_bytes(raw)
    if mac:
        return _Remote(switch=f"onu:{mac}", onu_mac=mac)
    if text and _GPON_SN.fullmatch(text):
        serial = text.upper()
    elif len(raw) == 8 and raw[:4].isalpha():
        serial = raw[:4].decode("ascii").upper() + raw[4:].hex().upper()
    else:
        return None
    return _Remote(switch=f"onu-sn:{serial}", onu_serial=serial)


@dataclass(frozen=True, slots=True)
class Option82Format:
    """One layout: how to read the circuit-id, how to read the remote-id."""

    name: str
    circuit: Callable[[bytes], _Circuit | None]
    layout: str
    remote: Callable[[bytes], _Remote | None] = _remote_switch
    is_auto: bool = True


# ---- the table ---------------------------------------------------------------

_TABLE = (
    Option82Format("vlan-module-port", _circuit_vlan_module_port,
                   "circuit 00 04 VLAN(2) module(1) port(1); remote 00 06 MAC(6)"),
    # Same header as vlan-module-port, so the bytes cannot tell them apart: auto
    # reads them as vlan-module-port, a one-to-one renaming of the same ports.
    Option82Format("huawei-extend", _circuit_huawei_extend,
                   "circuit 00 04 S-VLAN(2) slot(5 bits)+subslot(3 bits) port(1); remote 00 06 MAC(6)",
                   is_auto=False),
    Option82Format("vlan-module-port-bare", _circuit_vlan_module_port_bare,
                   "circuit VLAN(2) module(1) port(1) without header; remote MAC(6)"),
    Option82Format("dlink-vendor1", _circuit_dlink_vendor1,
                   "circuit 00 06 VLAN(2) slot(2) port(2) 01 06 MAC(6)"),
    Option82Format("user-string", _circuit_string_tlv, "circuit 01 n <string>"),
    Option82Format("dlink-vendor2", _circuit_dlink_vendor2, "circuit 'p<port + 64*(unit-1)>'"),
    Option82Format("dlink-vendor4", _circuit_dlink_vendor4,
                   "circuit '<sysname>-<module>/<port>-<VLAN>'"),
    Option82Format("tr101", _circuit_tr101,
                   "circuit '[<node>] eth <chassis>/<slot>/<port>[:<VLAN>]'"),
    Option82Format("huawei-text", _circuit_huawei_text,
                   "circuit '<interface>:<S-VLAN>.<C-VLAN> <host>/0/0/0/0/0'"),
    Option82Format("juniper", _circuit_juniper,
                   "circuit '[<host>:]ge-<fpc>/<pic>/<port>[.<unit>][:<VLAN>]'"),
    Option82Format("cisco-interface", _circuit_cisco, "circuit '<interface><numbers>[:<VLAN>]'"),
    Option82Format("zte-onu", _circuit_pon_location,
                   "remote '<ONU MAC>' or '<GPON serial>'; circuit empty or a PON location",
                   remote=_remote_onu),
    Option82Format("onu", _circuit_ignored, "remote '<ONU MAC>' or '<GPON serial>'; any circuit",
                   remote=_remote_onu, is_auto=False),
    Option82Format("text", _circuit_any_text,
                   "circuit: any operator-defined text (never auto-detected)", is_auto=False),
)  # fmt: skip
FORMATS: Mapping[str, Option82Format] = MappingProxyType({entry.name: entry for entry in _TABLE})


# ---- public entry points -------------------------------------------------------


def parse_relay_agent(
    remote_id: bytes | str | None,
    circuit_id: bytes | str | None,
    *,
    format: str | None = None,
) -> RelayAgentId:
    """Read one relay agent identity.  ``format`` forces one entry of ``FORMATS``;
    ``None`` (or ``"auto"``) tries every auto-detected layout and accepts the
    answer only when all layouts that match agree on the key."""
    return _parse(_prepare(remote_id, "remote-id"), _prepare(circuit_id, "circuit-id"), format)


@functools.lru_cache(maxsize=16384)  # a subscriber's DHCP renewals repeat one value
def _parse(remote: bytes, circuit: bytes, format: str | None) -> RelayAgentId:
    if not remote and not circuit:
        raise Option82Error(EMPTY, "remote-id and circuit-id are both empty")
    found: dict[tuple[str, str], RelayAgentId] = {}
    for candidate in _candidates(format):
        agent = _assemble(candidate, circuit, remote)
        if agent is not None:
            found.setdefault(agent.key(), agent)
    if not found:
        tried = format or "any auto-detected format"
        raise Option82Error(NO_MATCH, f"{_describe(remote, circuit)} matches {tried} nowhere")
    if len(found) > 1:
        answers = "; ".join(f"{agent.format} gives {key}" for key, agent in found.items())
        raise Option82Error(AMBIGUOUS, f"{_describe(remote, circuit)}: {answers}")
    return next(iter(found.values()))


def relay_key(
    remote_id: bytes | str | None,
    circuit_id: bytes | str | None,
    *,
    format: str | None = None,
) -> tuple[str, str]:
    """The ``(switch, port)`` key of a relay agent identity, for binding lookups."""
    return parse_relay_agent(remote_id, circuit_id, format=format).key()


def _prepare(value: object, label: str) -> bytes:
    if value is None:
        return b""
    if isinstance(value, str):
        raw = value.strip().encode("utf-8", "surrogatepass")
    elif isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
    else:
        raise Option82Error(NOT_BYTES, f"{label} is a {type(value).__name__}, not bytes or text")
    if len(raw) > MAX_VALUE_OCTETS:
        raise Option82Error(TOO_LONG, f"{label} has {len(raw)} octets, {MAX_VALUE_OCTETS} at most")
    return _decode_hex_text(raw)


def _candidates(format: str | None) -> list[Option82Format]:
    if format in (None, "", "auto"):
        return [candidate for candidate in FORMATS.values() if candidate.is_auto]
    if format in FORMATS:
        return [FORMATS[format]]
    known = ", ".join(FORMATS)
    raise Option82Error(UNKNOWN_FORMAT_NAME, f"{format!r} is not a format; known: auto, {known}")


def _assemble(candidate: Option82Format, circuit: bytes, remote: bytes) -> RelayAgentId | None:
    parsed_circuit = candidate.circuit(circuit)
    parsed_remote = candidate.remote(remote) if parsed_circuit is not None else None
    if parsed_circuit is None or parsed_remote is None:
        return None
    switch = parsed_remote.switch or parsed_circuit.node
    if not switch:
        return None
    return RelayAgentId(
        format=candidate.name,
        switch=switch,
        port=parsed_circuit.port,
        vlan=parsed_circuit.vlan,
        svlan=parsed_circuit.svlan,
        onu_mac=parsed_remote.onu_mac,
        onu_serial=parsed_remote.onu_serial,
    )


def _describe(remote: bytes, circuit: bytes) -> str:
    def preview(raw: bytes) -> str:
        return "0x" + raw[:48].hex() + ("…" if len(raw) > 48 else "") if raw else "(empty)"

    return f"remote-id {preview(remote)}, circuit-id {preview(circuit)}"
