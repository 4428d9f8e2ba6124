"""Network devices (switches, OLTs), their ports, the links between them,
their status history and the append-only log of every command sent to them.

A device's ``driver`` names a driver in ``lastmile.drivers`` or is
``generic``/``unknown``: a device of no known type is valid data that every
page shows; only operations on it answer "choose a driver".
"""

from lastmile.devices.models.address_review import DeviceAddressReview
from lastmile.devices.models.inventory import (
    GENERIC,
    NO_DRIVER,
    SECRET_FIELDS,
    Device,
    Link,
    LinkState,
    Port,
    PortLinkChange,
    PortMode,
    PortRole,
    PortVlan,
    PortWatch,
    SnmpVersion,
    Status,
    StatusChange,
)
from lastmile.devices.models.log import DeviceAction, Outcome
from lastmile.devices.models.onu import Onu, OnuTemplate

__all__ = [
    "GENERIC", "NO_DRIVER", "SECRET_FIELDS", "Device", "DeviceAction", "DeviceAddressReview",
    "Link", "LinkState",
    "Onu", "OnuTemplate", "Outcome", "Port", "PortLinkChange", "PortMode", "PortRole",
    "PortVlan", "PortWatch", "SnmpVersion", "Status", "StatusChange",
]  # fmt: skip
