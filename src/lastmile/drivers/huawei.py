"""Huawei S2300 / S5300 (VRP 5): IF-MIB / Q-BRIDGE-MIB with Huawei's own save and reboot.

* Ports: ifIndex is not the port number (Ethernet0/0/1 is ifIndex 6 here);
  bridge ports 1..N map through dot1dBasePortIfIndex.
* Save: a row of hwCfgOperateTable (HUAWEI-CONFIG-MAN-MIB,
  ``1.3.6.1.4.1.2011.6.10.1.2.4.1``): hwCfgOperateType running2Startup(1),
  hwCfgOperateRowStatus createAndGo(4).
* Save quirk: the operate row may be left over from an earlier operation, so it
  is destroyed (6) first, then created again.
* Reboot: hwSysReloadAction ``1.3.6.1.4.1.2011.5.25.19.1.3.2.0`` = 3 (reload now).
"""

from __future__ import annotations

import contextlib

from lastmile.drivers.base import DeviceError, Target, register
from lastmile.drivers.vendor_common import VendorSwitch

HW_SYS_REBOOT = "1.3.6.1.4.1.2011.5.25.19.1.3.2.0"
HW_CFG_OPERATE = "1.3.6.1.4.1.2011.6.10.1.2.4.1"
ROW = 1


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
