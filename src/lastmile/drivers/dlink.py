"""D-Link DGS-1100, DGS-3120 and DGS-3627: standard IF-MIB / Q-BRIDGE-MIB switches.

* DGS-3120 / DGS-3627 (``1.3.6.1.4.1.171.10.117`` / ``.171.10.70``): reboot and
  save through the agent-management group of D-Link's common MIB
  (``1.3.6.1.4.1.171.12.1.2``): agentSystemReset ``.3.0`` and agentSaveCfg ``.6.0``.
* DGS-1100 (``1.3.6.1.4.1.171.10.134``): its own system group: reboot ``…1.1.1.10.0``,
  save ``…1.1.1.11.0`` (unverified).  It also has a private VLAN table
  (``1.3.6.1.4.1.171.10.134.2.1.7.6.1``: members ``.3``, untagged ``.4``) that
  some firmware needs for writes; this driver writes Q-BRIDGE-MIB.  Quirk: it rejects a SET that changes a VLAN's egress and
  untagged lists together, so they go in separate requests (egress first when
  a port joins, untagged first when it leaves).
* VLAN creation / deletion: the DGS-3120 / DGS-3627 inherit the generic
  dot1qVlanStaticRowStatus createAndGo / destroy.  The DGS-1100 does not offer
  it (``Unsupported``): firmware that needs the private VLAN table for port
  writes is not known to take Q-BRIDGE row creation, and the private table's
  row objects are not verified.
"""

from __future__ import annotations

from lastmile.drivers.base import Driver, register
from lastmile.drivers.mib import (
    DOT1Q_PVID,
    DOT1Q_VLAN_STATIC_EGRESS,
    DOT1Q_VLAN_STATIC_UNTAGGED,
)
from lastmile.drivers.snmp import SnmpClient
from lastmile.drivers.snmp_values import Gauge
from lastmile.drivers.vendor_common import VendorSwitch

AGENT_SYSTEM_RESET = "1.3.6.1.4.1.171.12.1.2.3.0"
AGENT_SAVE_CFG = "1.3.6.1.4.1.171.12.1.2.6.0"
DGS1100_REBOOT = "1.3.6.1.4.1.171.10.134.2.1.1.1.10.0"
DGS1100_SAVE = "1.3.6.1.4.1.171.10.134.2.1.1.1.11.0"


@register
class DlinkDgs3120(VendorSwitch):
    name = "dlink_dgs3120"
    title = "D-Link DGS-3120"
    models = ("DGS-3120",)
    reboot_set = ((AGENT_SYSTEM_RESET, 3),)  # reboot(3)
    save_set = ((AGENT_SAVE_CFG, 3),)  # save(3)


@register
class DlinkDgs3627(DlinkDgs3120):
    name = "dlink_dgs3627"
    title = "D-Link DGS-3627"
    models = ("DGS-3627",)


@register
class DlinkDgs1100(VendorSwitch):
    name = "dlink_dgs1100"
    title = "D-Link DGS-1100"
    models = ("DGS-1100",)
    reboot_set = ((DGS1100_REBOOT, 1),)
    save_set = ((DGS1100_SAVE, 1),)
    # Not through Q-BRIDGE row creation (see the module docstring): the base
    # class's methods answer Unsupported, and the devices app does not offer them.
    create_vlan = Driver.create_vlan
    delete_vlan = Driver.delete_vlan

    async def write_vlan_changes(
        self,
        c: SnmpClient,
        changes: list[tuple[int, bytes, bytes]],
        bport: int,
        untagged: int | None,
    ) -> None:
        for vid, egress, untag in changes:
            joins = bool(egress[(bport - 1) // 8] & (0x80 >> ((bport - 1) % 8)))
            order = (
                [(DOT1Q_VLAN_STATIC_EGRESS, egress), (DOT1Q_VLAN_STATIC_UNTAGGED, untag)]
                if joins
                else [(DOT1Q_VLAN_STATIC_UNTAGGED, untag), (DOT1Q_VLAN_STATIC_EGRESS, egress)]
            )
            for column, value in order:
                await c.set([(f"{column}.{vid}", value)])
        if untagged is not None:
            await c.set([(f"{DOT1Q_PVID}.{bport}", Gauge(untagged))])
