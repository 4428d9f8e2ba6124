"""BDCOM P3310 EPON OLT and its ONUs, over SNMP.

* Fibers: ifTable rows named ``EPON0/<n>``; ONUs are ifTable rows named
  ``EPON0/<n>:<m>`` (their ifIndex indexes BDCOM's ONU tables).
* ONU MAC ``1.3.6.1.4.1.3320.101.10.1.1.3.<ifIndex>``, status
  ``….101.10.1.1.26.<ifIndex>`` (0 authenticated, 1 registered, 2 deregistered,
  3 auto-configured, 4 lost, 5 standby), rx power at the ONU
  ``….101.10.5.1.5.<ifIndex>``; the ONU's name is its ifAlias.
* Signal decoding (``decode_rx``): tenths of a dBm, signed (-235 → -23.5 dBm);
  a value outside -50.0 … +10.0 dBm (the OLT reports -65535 for "no reading")
  is None.
* Reboot: ``1.3.6.1.4.1.3320.9.184.7.0`` = 1.  Save: ``1.3.6.1.4.1.3320.20.15.1.1.0`` = 1.
* EPON ONUs register themselves (MAC binding); registration and removal are
  not offered.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, ClassVar

from lastmile.drivers.base import (
    BadInput,
    DeviceError,
    Fiber,
    Onu,
    Target,
    register,
)
from lastmile.drivers.mib import IF_ALIAS, IF_DESCR, IF_OPER_STATUS, link_state, mac_text, text
from lastmile.drivers.snmp import SnmpClient
from lastmile.drivers.vendor_common import VendorSwitch

BDCOM = "1.3.6.1.4.1.3320"
ONU_MAC = f"{BDCOM}.101.10.1.1.3"
ONU_STATUS = f"{BDCOM}.101.10.1.1.26"
ONU_RX = f"{BDCOM}.101.10.5.1.5"
REBOOT = f"{BDCOM}.9.184.7.0"
SAVE = f"{BDCOM}.20.15.1.1.0"

STATUS = {
    0: "authenticated",
    1: "registered",
    2: "deregistered",
    3: "auto-configured",
    4: "lost",
    5: "standby",
}
FIBER_RE = re.compile(r"^EPON(\d+)/(\d+)$")
ONU_RE = re.compile(r"^(EPON\d+/\d+):(\d+)$")
MAX_ONUS = 64


def decode_rx(raw: Any) -> float | None:
    if not isinstance(raw, int) or isinstance(raw, bool) or not -500 <= raw <= 100:
        return None
    return raw / 10


@register
class BdcomP3310(VendorSwitch):
    name: ClassVar[str] = "bdcom_p3310"
    title: ClassVar[str] = "BDCOM P3310 EPON OLT"
    is_olt: ClassVar[bool] = True
    models = ("P3310",)
    reboot_set = ((REBOOT, 1),)
    save_set = ((SAVE, 1),)

    def model_from(self, descr: str, object_id: str) -> str:
        m = re.search(r"\b(P3\d{3}[A-Z]?)\b", descr)
        return m.group(1) if m else super().model_from(descr, object_id)

    async def _interfaces(self, c: SnmpClient) -> dict[int, str]:
        return {int(o.rsplit(".", 1)[1]): text(v) for o, v in await c.walk(IF_DESCR)}

    async def fibers(self, target: Target) -> list[Fiber]:
        c = SnmpClient(target)
        names = await self._interfaces(c)
        oper = {int(o.rsplit(".", 1)[1]): v for o, v in await c.walk(IF_OPER_STATUS)}
        counts: dict[str, int] = {}
        for name in names.values():
            m = ONU_RE.match(name)
            if m:
                counts[m.group(1)] = counts.get(m.group(1), 0) + 1
        return [
            Fiber(
                name=name,
                index=idx,
                onu_count=counts.get(name, 0),
                max_onus=MAX_ONUS,
                link=link_state(oper.get(idx)),
            )
            for idx, name in sorted(names.items())
            if FIBER_RE.match(name)
        ]

    async def onus(self, target: Target, *, fiber: str | None = None) -> list[Onu]:
        if fiber is not None and not FIBER_RE.match(fiber):
            raise BadInput(f"{fiber!r} is not an EPON port name such as EPON0/1")
        c = SnmpClient(target)
        names = await self._interfaces(c)
        cols = await c.walk_columns([ONU_MAC, ONU_STATUS, ONU_RX])
        alias = {int(o.rsplit(".", 1)[1]): text(v) for o, v in await c.walk(IF_ALIAS)}
        data = {col: {int(o.rsplit(".", 1)[1]): v for o, v in rows} for col, rows in cols.items()}
        out = []
        for idx, name in sorted(names.items()):
            m = ONU_RE.match(name)
            if not m or (fiber is not None and m.group(1) != fiber):
                continue
            mac = mac_text(data[ONU_MAC].get(idx))
            status = data[ONU_STATUS].get(idx)
            out.append(
                Onu(
                    fiber=m.group(1),
                    number=int(m.group(2)),
                    serial=mac,
                    mac=mac,
                    name=alias.get(idx, ""),
                    status=STATUS.get(status, "unknown") if isinstance(status, int) else "unknown",
                    rx_dbm=decode_rx(data[ONU_RX].get(idx)),
                )
            )
        return out

    async def onu_details(self, target: Target, *, fiber: str, number: int) -> Onu:
        for onu in await self.onus(target, fiber=fiber):
            if onu.number == number:
                return onu
        raise BadInput(f"there is no ONU {number} on {fiber}")

    async def find_onu(self, target: Target, *, serial: str) -> Onu | None:
        mac = serial.strip().lower().replace("-", ":").replace(".", "")
        if re.fullmatch(r"[0-9a-f]{12}", mac):
            mac = ":".join(mac[i : i + 2] for i in range(0, 12, 2))
        if not re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", mac):
            raise BadInput(f"{serial!r} is not an EPON ONU MAC address")
        return next((o for o in await self.onus(target) if o.mac == mac), None)

    async def set_onu_name(
        self, target: Target, *, fiber: str, number: int, name: str, description: str = ""
    ) -> Onu:
        if not re.fullmatch(r"[A-Za-z0-9_.\-]{0,32}", name):
            raise BadInput("an ONU name is up to 32 letters, digits, dots, dashes or underscores")
        c = SnmpClient(target)
        wanted = f"{fiber}:{number}"
        idx = next((i for i, n in (await self._interfaces(c)).items() if n == wanted), None)
        if idx is None:
            raise BadInput(f"there is no ONU {number} on {fiber}")
        await c.set([(f"{IF_ALIAS}.{idx}", name)])
        if text(await c.get(f"{IF_ALIAS}.{idx}")) != name:
            raise DeviceError(f"{target.host}: the OLT did not keep the name of {wanted}")
        onu = await self.onu_details(target, fiber=fiber, number=number)
        return replace(onu, description=description)
