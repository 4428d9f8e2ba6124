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

from typing import Any, ClassVar

from lastmile.drivers.base import (
    BadInput,
    DeviceDetails,
    DeviceError,
    Fiber,
    Onu,
    Reachability,
    Target,
    register,
)
from lastmile.drivers.generic import GenericSwitch
from lastmile.drivers.mib import (
    IF_DESCR,
    IF_OPER_STATUS,
    SYS_DESCR,
    SYS_NAME,
    SYS_UPTIME,
    link_state,
    text,
)
from lastmile.drivers.snmp import SnmpClient
from lastmile.drivers.zte_cli_ops import (
    TEMPLATES,
    RegistrationFailed,
    Template,
    ZteCliOperations,
    ZteExtra,
)
from lastmile.drivers.zte_codec import (
    check_serial,
    decode_olt_rx,
    decode_onu_power,
    decode_serial,
    expand_vlans,
    fiber_ifindex,
    fiber_name,
    parse_onu_vlans,
)
from lastmile.drivers.zte_session import CliRefused, SessionLost, ZteCli

__all__ = [  # re-exported: the driver's public names live in its submodules
    "TEMPLATES", "CliRefused", "RegistrationFailed", "SessionLost", "Template", "ZteC320",
    "ZteCli", "ZteExtra", "decode_olt_rx", "decode_onu_power", "decode_serial",
    "expand_vlans", "fiber_ifindex", "fiber_name", "parse_onu_vlans",
]  # fmt: skip

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


class _ZtePorts(GenericSwitch):
    """The generic poll, counting GPON ports (ifType gpon 250) and ethernet uplinks."""

    def is_port(self, if_index: int, if_type: Any, name: str) -> bool:
        return if_type == 250 or super().is_port(if_index, if_type, name)


_ZTE_PORTS = _ZtePorts()


@register
class ZteC320(ZteCliOperations):
    name: ClassVar[str] = "zte_c320"
    title: ClassVar[str] = "ZTE C320 GPON OLT"
    is_olt: ClassVar[bool] = True
    extra_schema: ClassVar[type | None] = ZteExtra

    async def poll(self, target: Target) -> Reachability:
        """sysUpTime and the state of the PON and uplink ports (ifTable)."""
        return await _ZTE_PORTS.poll(target)

    async def details(self, target: Target) -> DeviceDetails:
        v = await SnmpClient(target).get_many([SYS_DESCR, SYS_UPTIME, SYS_NAME])
        if v[SYS_UPTIME] is None:
            raise DeviceError(f"{target.host}: no sysUpTime: is this an SNMP agent?")
        descr = text(v[SYS_DESCR])
        return DeviceDetails(
            name=text(v[SYS_NAME]),
            description=descr,
            uptime_s=int(v[SYS_UPTIME]) // 100,
            model="C320" if "C320" in descr else descr.split(",")[0],
        )

    async def fibers(self, target: Target) -> list[Fiber]:
        c = SnmpClient(target)
        cols = await c.walk_columns([IF_DESCR, IF_OPER_STATUS])
        names = {int(o.rsplit(".", 1)[1]): text(v) for o, v in cols[IF_DESCR]}
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
                    name=text(data[ONU_NAME].get(key)),
                    description=text(data[ONU_DESCR].get(key)),
                    model=text(data[ONU_TYPE].get(key)),
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
