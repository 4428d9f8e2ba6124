"""Option 82 values: the reason codes, the error, and the parsed identities."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_VALUE_OCTETS = 253  # the most one RADIUS attribute can carry (RFC 2865 §5)
MAX_NAME_CHARS = 128  # D-Link truncates system names to 128 bytes; so do we


class Reason(StrEnum):
    """Why Option82Error refused a value (stable: logs and UI messages key on them;
    each member equals its old string code)."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_BYTES = "not_bytes"
    UNKNOWN_FORMAT_NAME = "unknown_format_name"
    NO_MATCH = "no_match"
    AMBIGUOUS = "ambiguous"


EMPTY = Reason.EMPTY
TOO_LONG = Reason.TOO_LONG
NOT_BYTES = Reason.NOT_BYTES
UNKNOWN_FORMAT_NAME = Reason.UNKNOWN_FORMAT_NAME
NO_MATCH = Reason.NO_MATCH
AMBIGUOUS = Reason.AMBIGUOUS


class Option82Error(ValueError):
    """A relay agent value that cannot be matched safely; ``reason`` says why."""

    def __init__(self, reason: Reason, detail: str) -> None:
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
