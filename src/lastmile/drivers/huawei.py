"""Huawei S2300 / S5300 (VRP 5): IF-MIB / Q-BRIDGE-MIB with Huawei's own save and reboot.

* Ports: ifIndex is not the port number (Ethernet0/0/1 is ifIndex 6 here);
  bridge ports 1..N map through dot1dBasePortIfIndex.
* Save: a row of hwCfgOperateTable (HUAWEI-CONFIG-MAN-MIB,
  ``1.3.6.1.4.1.2011.6.10.1.2.4.1``): hwCfgOperateType running2Startup(1),
  hwCfgOperateRowStatus createAndGo(4).
* Save quirk: the operate row may be left over from an earlier operation, so it
  is destroyed (6) first, then created again.
* Reboot: hwSysReloadAction ``1.3.6.1.4.1.2011.5.25.19.1.3.2.0`` = 3 (reload now).
* MAC table: VRP often leaves dot1qTpFdbTable empty; then the learned MACs come
  from hwdbDynFdbTable (HUAWEI-L2MAM-MIB, ``1.3.6.1.4.1.2011.5.25.42.2.1.3``):
  hwDynFdbPort ``.1.4`` is the ifIndex (0: not learned on a port), the index is
  hwDynFdbMac (6 octets), hwDynFdbVlanId, hwDynFdbVsiName (length + octets;
  non-empty only for VPLS, which is left out).
* VLAN creation / deletion: hwL2VlanMIBTable (HUAWEI-L2VLAN-MIB,
  ``1.3.6.1.4.1.2011.5.25.42.3.1.1.1.1``, index the VLAN id): hwL2VlanRowStatus
  ``.12`` createAndGo(4) / destroy(6), then hwL2VlanName ``.17`` (0..31 octets)
  in a second SET; both read back from that table.  (Huawei's MIB references
  mark dot1qVlanStaticTable read-only on VRP platforms, so Q-BRIDGE row
  creation is not used.)
"""

from __future__ import annotations

import contextlib
import re

from lastmile.drivers.base import (
    BadInput,
    DeviceError,
    DriverError,
    MacEntry,
    Target,
    Vlan,
    register,
)
from lastmile.drivers.mib import check_vid, text
from lastmile.drivers.qbridge_vlans import DEFAULT_VLAN, ROW_ACTIVE, ROW_CREATE_AND_GO, ROW_DESTROY
from lastmile.drivers.snmp import SnmpClient, oid_suffix
from lastmile.drivers.vendor_common import VendorSwitch

HW_SYS_REBOOT = "1.3.6.1.4.1.2011.5.25.19.1.3.2.0"
HW_CFG_OPERATE = "1.3.6.1.4.1.2011.6.10.1.2.4.1"
ROW = 1
#: hwdbDynFdbEntry (HUAWEI-L2MAM-MIB): hwL2MAM 1.3.6.1.4.1.2011.5.25.42.2, objects .1, table .3, entry .1
HW_DYN_FDB = "1.3.6.1.4.1.2011.5.25.42.2.1.3.1"
HW_DYN_FDB_PORT = f"{HW_DYN_FDB}.4"
#: hwL2VlanMIBEntry (HUAWEI-L2VLAN-MIB): hwL2Vlan 1.3.6.1.4.1.2011.5.25.42.3, objects .1, base .1,
#: table .1, entry .1
HW_L2VLAN = "1.3.6.1.4.1.2011.5.25.42.3.1.1.1.1"
HW_L2VLAN_ROW_STATUS = f"{HW_L2VLAN}.12"
HW_L2VLAN_NAME = f"{HW_L2VLAN}.17"
#: what VRP's ``name`` in the VLAN view takes: up to 31 printable ASCII characters
VLAN_NAME = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]{0,29}[\x21-\x7e])?")


def dyn_fdb_key(index: tuple[int, ...]) -> tuple[str, int] | None:
    """(MAC, VLAN) of a hwdbDynFdbTable row index; None for a VSI (VPLS) row or a
    malformed index.  The index is 6 MAC octets, the VLAN id, then the VSI name as
    its length and octets (length 0 on a plain VLAN switch)."""
    if len(index) < 8 or index[7] != len(index) - 8 or index[7]:
        return None
    octets, vlan = index[:6], index[6]
    if any(not 0 <= b <= 255 for b in octets) or not 1 <= vlan <= 4094:
        return None
    return ":".join(f"{b:02x}" for b in octets), vlan


@register
class HuaweiS5300(VendorSwitch):
    name = "huawei_s5300"
    title = "Huawei S5300"
    models = ("S5300", "S5328", "S5352", "S5324")
    reboot_set = ((HW_SYS_REBOOT, 3),)
    save_set = (
        (f"{HW_CFG_OPERATE}.2.{ROW}", 1),  # hwCfgOperateType = running2Startup
        (f"{HW_CFG_OPERATE}.9.{ROW}", 4),  # hwCfgOperateRowStatus = createAndGo
    )

    async def save_config(self, target: Target) -> None:
        c = self.snmp(target)
        with contextlib.suppress(DeviceError):  # no such row yet: nothing to destroy
            await c.set([(f"{HW_CFG_OPERATE}.9.{ROW}", 6)])
        await c.set(list(self.save_set))

    def model_from(self, descr: str, object_id: str) -> str:
        # "S5328C-EI-24S Huawei Versatile Routing Platform…": the first word is the model
        first = descr.split(" ")[0] if descr else ""
        return first if first.startswith("S") else super().model_from(descr, object_id)

    # -- MAC table -----------------------------------------------------------
    async def fdb_entries(self, c: SnmpClient, bp: dict[int, int]) -> list[MacEntry]:
        """Q-BRIDGE-MIB's learned MACs; when it has none, Huawei's dynamic FDB
        (which has the VLAN), and only then BRIDGE-MIB's table."""
        entries, _has_rows = await self.qbridge_fdb(c, bp)
        if entries:
            return entries
        entries = await self.huawei_fdb(c)
        if entries:
            return entries
        return await self.bridge_fdb(c, bp)

    async def huawei_fdb(self, c: SnmpClient) -> list[MacEntry]:
        """hwdbDynFdbTable: hwDynFdbPort is an ifIndex already (the driver's port number)."""
        entries = []
        for oid, val in await c.walk(HW_DYN_FDB_PORT):
            key = dyn_fdb_key(oid_suffix(oid, HW_DYN_FDB_PORT))
            if key is None or not isinstance(val, int) or val <= 0:
                continue
            entries.append(MacEntry(mac=key[0], port=val, vlan=key[1]))
        return entries

    # -- VLAN creation and deletion ------------------------------------------
    async def create_vlan(self, target: Target, vid: int, *, name: str = "") -> Vlan:
        """Create VLAN ``vid`` (no ports) named ``name``; refused when it exists."""
        check_vid(vid)
        if name and not VLAN_NAME.fullmatch(name):
            raise BadInput(
                "a Huawei VLAN name is 1 to 31 printable ASCII characters, "
                "not starting or ending with a space"
            )
        c = self.snmp(target)
        if await c.get(f"{HW_L2VLAN_ROW_STATUS}.{vid}") is not None:
            raise BadInput(f"the device already has VLAN {vid}")
        await c.set([(f"{HW_L2VLAN_ROW_STATUS}.{vid}", ROW_CREATE_AND_GO)])
        if name:
            await self._name_new_vlan(c, target, vid, name)
        v = await c.get_many([f"{HW_L2VLAN_ROW_STATUS}.{vid}", f"{HW_L2VLAN_NAME}.{vid}"])
        if v[f"{HW_L2VLAN_ROW_STATUS}.{vid}"] != ROW_ACTIVE:
            raise DeviceError(f"{target.host}: VLAN {vid} is not active after its creation")
        kept = text(v[f"{HW_L2VLAN_NAME}.{vid}"])
        if name and kept != name:
            raise DeviceError(f"{target.host}: VLAN {vid} was created but did not keep its name")
        return Vlan(vid=vid, name=kept)

    async def _name_new_vlan(self, c: SnmpClient, target: Target, vid: int, name: str) -> None:
        """Name the VLAN just created; if the device refuses, remove it again, so a
        refused name leaves no VLAN behind."""
        try:
            await c.set([(f"{HW_L2VLAN_NAME}.{vid}", name)])
        except DeviceError as exc:
            with contextlib.suppress(DriverError):
                await c.set([(f"{HW_L2VLAN_ROW_STATUS}.{vid}", ROW_DESTROY)])
            left = await c.get(f"{HW_L2VLAN_ROW_STATUS}.{vid}") is not None
            raise DeviceError(
                f"{target.host}: the device refused the name of VLAN {vid} ({exc}); "
                + ("the VLAN exists without it" if left else "the VLAN was removed again")
            ) from None

    async def delete_vlan(self, target: Target, vid: int) -> None:
        """Delete VLAN ``vid`` (its ports leave it); the default VLAN 1 is refused."""
        check_vid(vid)
        if vid == DEFAULT_VLAN:
            raise BadInput("VLAN 1 is the switch's default VLAN: it cannot be deleted")
        c = self.snmp(target)
        if await c.get(f"{HW_L2VLAN_ROW_STATUS}.{vid}") is None:
            raise BadInput(f"the device has no VLAN {vid}")
        await c.set([(f"{HW_L2VLAN_ROW_STATUS}.{vid}", ROW_DESTROY)])
        if await c.get(f"{HW_L2VLAN_ROW_STATUS}.{vid}") is not None:
            raise DeviceError(f"{target.host}: VLAN {vid} is still there after its deletion")


@register
class HuaweiS2300(HuaweiS5300):
    name = "huawei_s2300"
    title = "Huawei S2300"
    models = ("S2300", "S2352", "S2326", "S2309")

    def model_from(self, descr: str, object_id: str) -> str:
        # "Quidway S2352P-EI Huawei…": the model follows the brand
        words = descr.split()
        if len(words) > 1 and words[0] == "Quidway":
            return words[1]
        return super().model_from(descr, object_id)
