"""VLAN creation and deletion on a Q-BRIDGE-MIB switch (RFC 4363's
dot1qVlanStaticTable, index the VLAN id), for ``generic.GenericSwitch`` and
the vendor drivers built on it.

One SET of dot1qVlanStaticRowStatus (.5) createAndGo(4) together with
dot1qVlanStaticName (.1) when a name is given, RowStatus first; destroy(6) to
delete; both read back.  The name goes in the creating SET because RFC 2579's
createAndGo expects the values a row needs in the same PDU (an agent without a
default name may refuse a bare createAndGo), and that is how published D-Link /
Dell scripts create Q-BRIDGE VLANs.  An agent that nevertheless left a row
behind after refusing such a SET has it destroyed.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from lastmile.drivers.base import BadInput, DeviceError, DriverError, Target, Vlan
from lastmile.drivers.mib import (
    DOT1Q_VLAN_STATIC_NAME,
    DOT1Q_VLAN_STATIC_ROW_STATUS,
    check_vid,
    text,
)
from lastmile.drivers.snmp import SnmpClient

ROW_ACTIVE, ROW_CREATE_AND_GO, ROW_DESTROY = 1, 4, 6  # RowStatus (RFC 2579)
DEFAULT_VLAN = 1
#: dot1qVlanStaticName is SnmpAdminString (SIZE (0..32)); switch CLIs take printable
#: ASCII, so that is what is sent: 1 to 32 characters, no space at either end
QBRIDGE_VLAN_NAME = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]{0,30}[\x21-\x7e])?")


async def create(c: SnmpClient, target: Target, vid: int, *, name: str = "") -> Vlan:
    """Create VLAN ``vid`` (no ports) named ``name``; refused when it exists."""
    check_vid(vid)
    if name and not QBRIDGE_VLAN_NAME.fullmatch(name):
        raise BadInput(
            "a VLAN name is 1 to 32 printable ASCII characters, not starting or ending with a space"
        )
    status = f"{DOT1Q_VLAN_STATIC_ROW_STATUS}.{vid}"
    if await c.get(status) is not None:
        raise BadInput(f"the device already has VLAN {vid}")
    binds: list[tuple[str, Any]] = [(status, ROW_CREATE_AND_GO)]
    if name:
        binds.append((f"{DOT1Q_VLAN_STATIC_NAME}.{vid}", name))
    try:
        await c.set(binds)
    except DeviceError as exc:
        # A SET is all or nothing, but an agent that applies var-binds one by one
        # may have made the row before it refused the name: remove it again.
        left = False
        if name and await c.get(status) is not None:
            with contextlib.suppress(DriverError):
                await c.set([(status, ROW_DESTROY)])
            left = await c.get(status) is not None
        raise DeviceError(
            f"{target.host}: the device refused to create VLAN {vid} ({exc})"
            + (f"; VLAN {vid} exists without its name" if left else "")
        ) from None
    v = await c.get_many([status, f"{DOT1Q_VLAN_STATIC_NAME}.{vid}"])
    if v[status] != ROW_ACTIVE:
        raise DeviceError(f"{target.host}: VLAN {vid} is not active after its creation")
    kept = text(v[f"{DOT1Q_VLAN_STATIC_NAME}.{vid}"])
    if name and kept != name:
        raise DeviceError(f"{target.host}: VLAN {vid} was created but did not keep its name")
    return Vlan(vid=vid, name=kept)


async def delete(c: SnmpClient, target: Target, vid: int) -> None:
    """Delete VLAN ``vid`` (its ports leave it); the default VLAN 1 is refused."""
    check_vid(vid)
    if vid == DEFAULT_VLAN:
        raise BadInput("VLAN 1 is the switch's default VLAN: it cannot be deleted")
    status = f"{DOT1Q_VLAN_STATIC_ROW_STATUS}.{vid}"
    if await c.get(status) is None:
        raise BadInput(f"the device has no VLAN {vid}")
    await c.set([(status, ROW_DESTROY)])
    if await c.get(status) is not None:
        raise DeviceError(f"{target.host}: VLAN {vid} is still there after its deletion")
