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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from lastmile.radius.option82.circuit_ids import (
    _circuit_any_text,
    _circuit_cisco,
    _circuit_dlink_vendor1,
    _circuit_dlink_vendor2,
    _circuit_dlink_vendor4,
    _circuit_huawei_extend,
    _circuit_huawei_text,
    _circuit_ignored,
    _circuit_juniper,
    _circuit_pon_location,
    _circuit_string_tlv,
    _circuit_tr101,
    _circuit_vlan_module_port,
    _circuit_vlan_module_port_bare,
)
from lastmile.radius.option82.readers import (
    _decode_hex_text,
)
from lastmile.radius.option82.remote_ids import (
    _remote_onu,
    _remote_switch,
)
from lastmile.radius.option82.values import (
    AMBIGUOUS,
    EMPTY,
    MAX_VALUE_OCTETS,
    NO_MATCH,
    NOT_BYTES,
    TOO_LONG,
    UNKNOWN_FORMAT_NAME,
    Option82Error,
    Reason,
    RelayAgentId,
    SwitchPort,
    _Circuit,
    _Remote,
)

__all__ = [
    "AMBIGUOUS",
    "EMPTY",
    "FORMATS",
    "MAX_VALUE_OCTETS",
    "NOT_BYTES",
    "NO_MATCH",
    "TOO_LONG",
    "UNKNOWN_FORMAT_NAME",
    "Option82Error",
    "Option82Format",
    "Reason",
    "RelayAgentId",
    "SwitchPort",
    "parse_relay_agent",
    "relay_key",
]


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
