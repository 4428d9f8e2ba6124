"""ZTE C320 GPON OLT (F601 / F660 ONUs): SNMP for reading, the telnet CLI for changes.

SNMP (ZTE enterprise 1.3.6.1.4.1.3902):
  fibers: ifTable rows named ``gpon-olt_<shelf>/<slot>/<port>``; their ifIndex is
    ``1<<28 | (shelf-1)<<24 | slot<<16 | port<<8`` (1/1/1 = 268501248).
  ONUs, indexed ``<fiber ifIndex>.<onu id>``:
    type ``.1012.3.28.1.1.1``, name ``.1012.3.28.1.1.2``, description ``.1012.3.28.1.1.3``,
    serial ``.1012.3.28.1.1.5`` (8 octets: 4 vendor letters + 4 bytes),
    phase state ``.1012.3.28.2.1.4``;
    rx / tx power at the ONU ``.1012.3.50.12.1.1.10`` / ``.14`` (index + ``.1``),
    rx power at the OLT ``.1015.1010.11.2.1.2``;
  unregistered ONUs: serials at ``.1012.3.13.3.1.2.<fiber ifIndex>.<n>``.

Signal decoding (``decode_onu_power``):
  0 … 30000        → raw * 0.002 - 30 dBm (0 → -30.0, 30000 → +30.0);
  60000 … 65534    → (raw - 65534) * 0.002 - 30 dBm (a wrapped negative reading:
                     65534 → -30.0, 60000 → -41.068);
  65535            → no reading (None: the ONU is offline or has no optics data);
  30001 … 59999, negative or larger → None (not a reading the OLT produces).
  OLT-side rx (``decode_olt_rx``): signed thousandths of a dBm; -80000 and below,
  or 65535 and above, mean no reading.

CLI (telnet): registration, removal, names and VLANs; see ``ZteCli``.
The devices app serializes CLI sessions to one OLT (PostgreSQL advisory lock);
this module opens one session per operation and closes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, NoReturn

from pydantic import BaseModel, Field

from lastmile.drivers.base import (
    BadInput,
    DeviceDetails,
    DeviceError,
    DeviceUnreachable,
    Driver,
    Fiber,
    Onu,
    Reachability,
    Target,
    register,
)
from lastmile.drivers.generic import (
    IF_DESCR,
    IF_OPER_STATUS,
    SYS_DESCR,
    SYS_NAME,
    SYS_UPTIME,
    GenericSwitch,
    _text,
    link_state,
)
from lastmile.drivers.snmp import SnmpClient

ZTE = "1.3.6.1.4.1.3902"
ONU_TYPE = f"{ZTE}.1012.3.28.1.1.1"
ONU_NAME = f"{ZTE}.1012.3.28.1.1.2"
ONU_DESCR = f"{ZTE}.1012.3.28.1.1.3"
ONU_SN = f"{ZTE}.1012.3.28.1.1.5"
ONU_STATE = f"{ZTE}.1012.3.28.2.1.4"
ONU_RX = f"{ZTE}.1012.3.50.12.1.1.10"
ONU_TX = f"{ZTE}.1012.3.50.12.1.1.14"
OLT_RX = f"{ZTE}.1015.1010.11.2.1.2"
UNCFG_SN = f"{ZTE}.1012.3.13.3.1.2"

PHASE_STATES = {
    1: "logging",
    2: "los",
    3: "syncMib",
    4: "working",
    5: "dyingGasp",
    6: "authFailed",
    7: "offline",
}

SERIAL_RE = re.compile(r"^[A-Z0-9]{4}[0-9A-F]{8}$")
FIBER_RE = re.compile(r"^gpon-olt_(\d+)/(\d+)/(\d+)$")
NAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{0,32}$")
MAX_ONUS = 128


# -- decoders (golden-tested) -------------------------------------------------
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


# -- the driver ---------------------------------------------------------------
class ZteExtra(BaseModel):
    """A ZTE OLT's extra data (the devices app validates the device's JSON with it)."""

    max_onus_per_fiber: int = Field(MAX_ONUS, ge=1, le=256)
    default_template: str = "f601-bridge"
    default_profile: str = Field("default", pattern=r"^[A-Za-z0-9_\-]{1,32}$")


@dataclass(frozen=True)
class Template:
    onu_type: str
    interface: tuple[str, ...]
    mng: tuple[str, ...]


TEMPLATES: dict[str, Template] = {
    "f601-bridge": Template(
        "ZTE-F601",
        (
            "tcont 1 profile {profile}",
            "gemport 1 tcont 1",
            "service-port 1 vport 1 user-vlan {vlan} vlan {vlan}",
        ),
        ("service inet gemport 1 vlan {vlan}", "vlan port eth_0/1 mode tag vlan {vlan}"),
    ),
    "f660-router": Template(
        "ZTE-F660",
        (
            "tcont 1 profile {profile}",
            "gemport 1 tcont 1",
            "service-port 1 vport 1 user-vlan {vlan} vlan {vlan}",
        ),
        ("service inet gemport 1 vlan {vlan}",),
    ),
}


class RegistrationFailed(DeviceError):
    """ONU registration stopped; ``steps`` says what was done, ``rolled_back``
    whether the half-added ONU was removed again."""

    def __init__(self, message: str, steps: list[str], *, rolled_back: bool | None) -> None:
        super().__init__(message)
        self.steps = list(steps)
        self.rolled_back = rolled_back


PROMPT_RE = re.compile(r"(?:^|[\r\n])[A-Za-z0-9_\-]+(?:\([\w\-]+\))?[#>]\s*$")


class ZteCli:
    """One telnet session to the OLT's ZXAN command line."""

    def __init__(self, target: Target) -> None:
        if target.cli is None:
            raise BadInput("this OLT has no CLI (telnet) credentials: add them to the device")
        self.target = target
        self.cli = target.cli
        self.reader: Any = None
        self.writer: Any = None
        self.timeout = max(target.timeout_s, 3.0) * 2

    async def __aenter__(self) -> ZteCli:
        import telnetlib3

        try:
            self.reader, self.writer = await asyncio.wait_for(
                telnetlib3.open_connection(
                    self.target.host,
                    self.cli.port,
                    connect_minwait=0.05,
                    connect_maxwait=0.5,
                    encoding="utf8",
                ),
                self.timeout,
            )
        except (OSError, TimeoutError) as exc:
            raise DeviceUnreachable(
                f"{self.target.host}:{self.cli.port}: no telnet connection ({exc or 'timeout'})"
            ) from None
        await self._login()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self.writer.write("exit\r\n")
            with contextlib.suppress(Exception):
                self.writer.close()
            self.writer = None

    async def _read_until(self, pattern: re.Pattern[str]) -> str:
        buf = ""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while not pattern.search(buf):
            left = deadline - loop.time()
            if left <= 0:
                raise DeviceError(f"{self.target.host}: the OLT stopped answering: {buf[-200:]!r}")
            try:
                chunk = await asyncio.wait_for(self.reader.read(4096), left)
            except TimeoutError:
                continue
            except (ConnectionError, OSError):
                chunk = ""
            if not chunk:
                raise SessionLost(f"{self.target.host}: the OLT closed the telnet session")
            buf += chunk
        return buf

    async def _login(self) -> None:
        await self._read_until(re.compile(r"[Uu]sername:\s*$"))
        self.writer.write(self.cli.username + "\r\n")
        await self._read_until(re.compile(r"[Pp]assword:\s*$"))
        self.writer.write(self.cli.password + "\r\n")
        text = await self._read_until(re.compile(PROMPT_RE.pattern + r"|[Uu]sername:\s*$"))
        if re.search(r"[Uu]sername:\s*$", text):
            raise DeviceError(f"{self.target.host}: the OLT refused the CLI login")
        if text.rstrip().endswith(">"):
            self.writer.write("enable\r\n")
            await self._read_until(re.compile(r"[Pp]assword:\s*$"))
            self.writer.write(self.cli.enable_password + "\r\n")
            text = await self._read_until(PROMPT_RE)
            if not text.rstrip().endswith("#"):
                raise DeviceError(f"{self.target.host}: the OLT refused the enable password")
        await self.run("terminal length 0")

    async def run(self, command: str) -> str:
        """Send one command; its output (without the echo and the prompt)."""
        self.writer.write(command + "\r\n")
        text = await self._read_until(PROMPT_RE)
        lines = text.replace("\r", "").split("\n")
        if lines and lines[0].strip() == command.strip():
            lines = lines[1:]
        return "\n".join(lines[:-1]).strip("\n")

    async def check(self, command: str) -> str:
        """``run``, and a ``%…`` error line becomes ``DeviceError``."""
        out = await self.run(command)
        for line in out.splitlines():
            if line.startswith("%"):
                raise CliRefused(command, line.strip())
        return out


class SessionLost(DeviceError):
    pass


class CliRefused(DeviceError):
    def __init__(self, command: str, line: str) -> None:
        super().__init__(f"the OLT refused “{command}”: {line}")
        self.command = command
        self.line = line


class _ZtePorts(GenericSwitch):
    """The generic poll, counting GPON ports (ifType gpon 250) and ethernet uplinks."""

    def is_port(self, if_index: int, if_type: Any, name: str) -> bool:
        return if_type == 250 or super().is_port(if_index, if_type, name)


_ZTE_PORTS = _ZtePorts()

_ONU_LINE = re.compile(r"^\s*onu (\d+) type (\S+) sn (\S+)", re.M)
_UNCFG_LINE = re.compile(r"^gpon-onu_(\d+/\d+/\d+):\d+\s+(\S+)", re.M)


@register
class ZteC320(Driver):
    name: ClassVar[str] = "zte_c320"
    title: ClassVar[str] = "ZTE C320 GPON OLT"
    is_olt: ClassVar[bool] = True
    extra_schema: ClassVar[type | None] = ZteExtra

    def settings(self, target: Target) -> ZteExtra:
        try:
            return ZteExtra.model_validate(dict(target.extra or {}))
        except ValueError as exc:
            raise BadInput(f"the OLT's extra data is not valid: {exc}") from None

    # -- SNMP ---------------------------------------------------------------
    async def poll(self, target: Target) -> Reachability:
        """sysUpTime and the state of the PON and uplink ports (ifTable)."""
        return await _ZTE_PORTS.poll(target)

    async def details(self, target: Target) -> DeviceDetails:
        v = await SnmpClient(target).get_many([SYS_DESCR, SYS_UPTIME, SYS_NAME])
        if v[SYS_UPTIME] is None:
            raise DeviceError(f"{target.host}: no sysUpTime: is this an SNMP agent?")
        descr = _text(v[SYS_DESCR])
        return DeviceDetails(
            name=_text(v[SYS_NAME]),
            description=descr,
            uptime_s=int(v[SYS_UPTIME]) // 100,
            model="C320" if "C320" in descr else descr.split(",")[0],
        )

    async def fibers(self, target: Target) -> list[Fiber]:
        c = SnmpClient(target)
        cols = await c.walk_columns([IF_DESCR, IF_OPER_STATUS])
        names = {int(o.rsplit(".", 1)[1]): _text(v) for o, v in cols[IF_DESCR]}
        oper = {int(o.rsplit(".", 1)[1]): v for o, v in cols[IF_OPER_STATUS]}
        counts: dict[int, int] = {}
        for oid, _v in await c.walk(ONU_TYPE):
            idx = int(oid[len(ONU_TYPE) + 1 :].split(".")[0])
            counts[idx] = counts.get(idx, 0) + 1
        limit = self.settings(target).max_onus_per_fiber
        return [
            Fiber(
                name=name,
                index=idx,
                onu_count=counts.get(idx, 0),
                max_onus=limit,
                link=link_state(oper.get(idx)),
            )
            for idx, name in sorted(names.items())
            if name.startswith("gpon-olt_")
        ]

    async def onus(self, target: Target, *, fiber: str | None = None) -> list[Onu]:
        c = SnmpClient(target)
        suffix = f".{fiber_ifindex(fiber)}" if fiber else ""
        cols = [ONU_TYPE, ONU_NAME, ONU_DESCR, ONU_SN, ONU_STATE, OLT_RX]
        data: dict[str, dict[tuple[int, int], Any]] = {}
        for col in cols:
            rows = await c.walk(col + suffix)
            data[col] = {}
            for oid, val in rows:
                parts = oid[len(col) + 1 :].split(".")
                data[col][(int(parts[0]), int(parts[1]))] = val
        power: dict[str, dict[tuple[int, int], Any]] = {}
        for col in (ONU_RX, ONU_TX):
            power[col] = {}
            for oid, val in await c.walk(col + suffix):
                parts = oid[len(col) + 1 :].split(".")
                power[col][(int(parts[0]), int(parts[1]))] = val
        result = []
        for key in sorted(data[ONU_TYPE]):
            state = data[ONU_STATE].get(key)
            result.append(
                Onu(
                    fiber=fiber_name(key[0]),
                    number=key[1],
                    serial=decode_serial(data[ONU_SN].get(key)),
                    name=_text(data[ONU_NAME].get(key)),
                    description=_text(data[ONU_DESCR].get(key)),
                    model=_text(data[ONU_TYPE].get(key)),
                    status=PHASE_STATES.get(state, "unknown")
                    if isinstance(state, int)
                    else "unknown",
                    rx_dbm=decode_onu_power(power[ONU_RX].get(key)),
                    tx_dbm=decode_onu_power(power[ONU_TX].get(key)),
                    olt_rx_dbm=decode_olt_rx(data[OLT_RX].get(key)),
                )
            )
        return result

    async def unregistered_onus(self, target: Target) -> list[Onu]:
        rows = await SnmpClient(target).walk(UNCFG_SN)
        out = []
        for oid, val in rows:
            idx = int(oid[len(UNCFG_SN) + 1 :].split(".")[0])
            out.append(Onu(fiber=fiber_name(idx), number=None, serial=decode_serial(val)))
        return out

    async def onu_details(self, target: Target, *, fiber: str, number: int) -> Onu:
        found = [o for o in await self.onus(target, fiber=fiber) if o.number == number]
        if not found:
            raise BadInput(f"there is no ONU {number} on {fiber}")
        onu = found[0]
        if target.cli is not None:
            from dataclasses import replace

            onu = replace(onu, vlans=await self.onu_vlans(target, fiber=fiber, number=number))
        return onu

    async def find_onu(self, target: Target, *, serial: str) -> Onu | None:
        serial = check_serial(serial)
        for onu in await self.onus(target):
            if onu.serial == serial:
                return onu
        for onu in await self.unregistered_onus(target):
            if onu.serial == serial:
                return onu
        return None

    # -- CLI ------------------------------------------------------------------
    async def onu_vlans(self, target: Target, *, fiber: str, number: int) -> tuple[int, ...]:
        """Every VLAN configured for the ONU (its service ports and its own ports)."""
        fiber_ifindex(fiber)
        port = f"{fiber.replace('gpon-olt_', 'gpon-onu_')}:{number}"
        async with ZteCli(target) as cli:
            text = await cli.check(f"show run interface {port}")
            mng = await cli.run(f"show onu running config {port}")
        if not mng.lstrip().startswith("%"):
            text += "\n" + mng
        return parse_onu_vlans(text)

    async def set_onu_name(
        self, target: Target, *, fiber: str, number: int, name: str, description: str = ""
    ) -> Onu:
        if not NAME_RE.match(name):
            raise BadInput("an ONU name is up to 32 letters, digits, dots, dashes or underscores")
        if len(description) > 80 or "\n" in description:
            raise BadInput("an ONU description is one line of up to 80 characters")
        fiber_ifindex(fiber)
        port = f"{fiber.replace('gpon-olt_', 'gpon-onu_')}:{number}"
        async with ZteCli(target) as cli:
            await cli.check("conf t")
            await cli.check(f"interface {port}")
            if name:
                await cli.check(f"name {name}")
            if description:
                await cli.check(f"description {description}")
            await cli.run("end")
            text = await cli.check(f"show run interface {port}")
        got_name = re.search(r"^\s*name (\S+)", text, re.M)
        got_descr = re.search(r"^\s*description (.+)$", text, re.M)
        if (name and (not got_name or got_name.group(1) != name)) or (
            description and (not got_descr or got_descr.group(1).strip() != description)
        ):
            raise DeviceError(f"{target.host}: the OLT did not keep the name of {port}")
        return Onu(
            fiber=fiber,
            number=number,
            name=got_name.group(1) if got_name else "",
            description=got_descr.group(1).strip() if got_descr else "",
            vlans=parse_onu_vlans(text),
        )

    async def remove_onu(self, target: Target, *, fiber: str, number: int) -> None:
        fiber_ifindex(fiber)
        async with ZteCli(target) as cli:
            await cli.check("conf t")
            await cli.check(f"interface {fiber}")
            await cli.check(f"no onu {number}")
            await cli.run("end")
            text = await cli.check(f"show run interface {fiber}")
        if any(int(m.group(1)) == number for m in _ONU_LINE.finditer(text)):
            raise DeviceError(f"{target.host}: ONU {number} is still on {fiber}")

    def _render(self, template: str, params: Mapping[str, Any], extra: ZteExtra) -> Template:
        tpl = TEMPLATES.get(template or extra.default_template)
        if tpl is None:
            raise BadInput(
                f"unknown ONU template {template!r}: choose one of {', '.join(sorted(TEMPLATES))}"
            )
        try:
            vlan = int(params.get("vlan"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise BadInput("the template needs a VLAN (1 to 4094)") from None
        if not 1 <= vlan <= 4094:
            raise BadInput(f"VLAN {vlan} is out of range: a VLAN id is 1 to 4094")
        profile = str(params.get("profile") or extra.default_profile)
        if not re.fullmatch(r"[A-Za-z0-9_\-]{1,32}", profile):
            raise BadInput(f"{profile!r} is not a T-CONT profile name")
        values = {"vlan": vlan, "profile": profile}
        return Template(
            str(params.get("onu_type") or tpl.onu_type),
            tuple(line.format(**values) for line in tpl.interface),
            tuple(line.format(**values) for line in tpl.mng),
        )

    async def register_onu(
        self, target: Target, *, fiber: str, serial: str, template: str, params: Mapping[str, Any]
    ) -> Onu:
        """Add a waiting ONU to ``fiber`` with the next free id, configure it from
        ``template`` and read it back.  Every check happens before the first change;
        a failure after the ONU was added removes it again (``RegistrationFailed``
        says what happened)."""
        serial = check_serial(serial)
        fiber_ifindex(fiber)
        extra = self.settings(target)
        tpl = self._render(template, params, extra)
        name = str(params.get("name") or "")
        description = str(params.get("description") or "")
        if not NAME_RE.match(name):
            raise BadInput("an ONU name is up to 32 letters, digits, dots, dashes or underscores")
        if len(description) > 80 or "\n" in description:
            raise BadInput("an ONU description is one line of up to 80 characters")
        short = fiber.removeprefix("gpon-olt_")
        steps: list[str] = []
        number: int | None = None
        sent = False  # the `onu N …` command went out: from here on, something may exist
        try:
            async with ZteCli(target) as cli:
                waiting = await cli.run("show gpon onu uncfg")
                here = {
                    m.group(2).upper() for m in _UNCFG_LINE.finditer(waiting) if m.group(1) == short
                }
                if serial not in here:
                    elsewhere = [
                        m.group(1)
                        for m in _UNCFG_LINE.finditer(waiting)
                        if m.group(2).upper() == serial
                    ]
                    where = f" (it is waiting on gpon-olt_{elsewhere[0]})" if elsewhere else ""
                    raise RegistrationFailed(
                        f"ONU {serial} is not waiting for registration on {fiber}{where}",
                        steps,
                        rolled_back=None,
                    )
                steps.append(f"{serial} is waiting on {fiber}")
                config = await cli.check(f"show run interface {fiber}")
                used = {int(m.group(1)) for m in _ONU_LINE.finditer(config)}
                free = [n for n in range(1, extra.max_onus_per_fiber + 1) if n not in used]
                if not free:
                    raise RegistrationFailed(
                        f"{fiber} is full: all {extra.max_onus_per_fiber} ONU positions are taken",
                        steps,
                        rolled_back=None,
                    )
                number = free[0]
                await cli.check("conf t")
                await cli.check(f"interface {fiber}")
                sent = True
                await cli.check(f"onu {number} type {tpl.onu_type} sn {serial}")
                steps.append(f"added as {fiber}:{number} ({tpl.onu_type})")
                await cli.check("exit")
                port = f"{fiber.replace('gpon-olt_', 'gpon-onu_')}:{number}"
                await cli.check(f"interface {port}")
                if name:
                    await cli.check(f"name {name}")
                if description:
                    await cli.check(f"description {description}")
                for line in tpl.interface:
                    await cli.check(line)
                steps.append(f"{port} configured")
                await cli.check("exit")
                if tpl.mng:
                    await cli.check(f"pon-onu-mng {port}")
                    for line in tpl.mng:
                        await cli.check(line)
                    await cli.check("exit")
                    steps.append(f"{port} services configured")
                await cli.run("end")
                after = await cli.check(f"show run interface {fiber}")
                onu_text = await cli.check(f"show run interface {port}")
        except RegistrationFailed:
            raise
        except DeviceUnreachable as exc:
            if not sent or number is None:
                raise
            await self._give_up(target, fiber, number, steps, str(exc))
        except DeviceError as exc:
            if (
                not sent
                or number is None
                or (isinstance(exc, CliRefused) and exc.command.startswith("onu "))
            ):
                # nothing was added: the OLT refused the ONU itself (or nothing sent yet)
                raise RegistrationFailed(
                    f"registration of {serial} on {fiber} failed: {exc}", steps, rolled_back=None
                ) from None
            await self._give_up(target, fiber, number, steps, str(exc))
        if not any(
            int(m.group(1)) == number and m.group(3).upper() == serial
            for m in _ONU_LINE.finditer(after)
        ):
            await self._give_up(target, fiber, number, steps, "the OLT does not show the new ONU")
        steps.append("read back from the OLT")
        got_name = re.search(r"^\s*name (\S+)", onu_text, re.M)
        return Onu(
            fiber=fiber,
            number=number,
            serial=serial,
            name=got_name.group(1) if got_name else "",
            description=description,
            model=tpl.onu_type,
            status="registered",
            vlans=parse_onu_vlans(onu_text + "\n" + "\n".join(tpl.mng)),
        )

    async def _give_up(
        self, target: Target, fiber: str, number: int, steps: list[str], reason: str
    ) -> NoReturn:
        """Remove the half-configured ONU in a fresh session, then raise."""
        try:
            await self.remove_onu(target, fiber=fiber, number=number)
        except CliRefused as exc:
            if "does not exist" not in exc.line and "32305" not in exc.line:
                steps.append(f"removing {fiber}:{number} again failed: {exc}")
                raise RegistrationFailed(
                    f"registration failed ({reason}) and ONU {number} may be left "
                    f"half-configured on {fiber}: check it on the OLT",
                    steps,
                    rolled_back=False,
                ) from None
            steps.append(f"{fiber}:{number} was not added")  # lost before the OLT took it
        except DeviceError as exc:
            steps.append(f"removing {fiber}:{number} again failed: {exc}")
            raise RegistrationFailed(
                f"registration failed ({reason}) and ONU {number} may be left half-configured "
                f"on {fiber}: check it on the OLT",
                steps,
                rolled_back=False,
            ) from None
        steps.append(f"{fiber}:{number} removed again")
        raise RegistrationFailed(
            f"registration failed ({reason}); the ONU was removed again, nothing is left on {fiber}",
            steps,
            rolled_back=True,
        )
