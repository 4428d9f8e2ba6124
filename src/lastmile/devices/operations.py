"""The operations staff run on devices, each under its own permission.

An operation's ``action`` is the object-permission action it needs on the
device (``view`` for reads; a custom action for each kind of write), so a
permission ``{"actions": ["view", "change_vlan"], "constraints":
{"group__name": "North"}}`` lets an operator change VLANs on the devices of
one group and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Operation:
    name: str  # the driver method
    action: str  # the object-permission action on the device
    title: str | Promise
    is_cli: bool = False  # serialized per device (advisory lock)
    is_write: bool = False


_ALL = [
    Operation("details", "view", _("read details")),
    Operation("ports", "view", _("read ports")),
    Operation("mac_table", "view", _("read the MAC table")),
    Operation("vlans", "view", _("read VLANs")),
    Operation("fibers", "view", _("read fibers")),
    Operation("onus", "view", _("read ONUs")),
    Operation("unregistered_onus", "view", _("read unregistered ONUs")),
    Operation("onu_details", "view", _("read ONU details")),
    Operation("find_onu", "view", _("find an ONU")),
    Operation("onu_vlans", "view", _("read an ONU's VLANs"), is_cli=True),
    Operation("set_port_admin", "toggle_port", _("enable/disable a port"), is_write=True),
    Operation("set_port_vlans", "change_vlan", _("change VLANs"), is_write=True),
    Operation("create_vlan", "change_vlan", _("create a VLAN"), is_write=True),
    Operation("delete_vlan", "change_vlan", _("delete a VLAN"), is_write=True),
    Operation("add_onu_vlan", "change_vlan", _("add a VLAN to an ONU"), is_cli=True, is_write=True),
    Operation(
        "remove_onu_vlan", "change_vlan", _("remove a VLAN from an ONU"), is_cli=True, is_write=True
    ),
    Operation("reboot", "reboot", _("reboot"), is_write=True),
    Operation("save_config", "save_config", _("save the configuration"), is_write=True),
    Operation("register_onu", "register_onu", _("register an ONU"), is_cli=True, is_write=True),
    Operation("remove_onu", "remove_onu", _("remove an ONU"), is_cli=True, is_write=True),
    Operation("set_onu_name", "rename_onu", _("name an ONU"), is_cli=True, is_write=True),
]

OPERATIONS: dict[str, Operation] = {op.name: op for op in _ALL}

#: Inventory changes that are logged like operations but send nothing to a device.
INVENTORY_ACTIONS: dict[str, str | Promise] = {
    "set_port_settings": _("change port settings"),
    "delete_device": _("delete the device"),
}


def action_title(name: str) -> str | Promise:
    """The words for an action log row's operation (its code when unknown)."""
    if name in OPERATIONS:
        return OPERATIONS[name].title
    return INVENTORY_ACTIONS.get(name, name)


#: Custom permission actions on devices (besides view/add/change/delete).
DEVICE_ACTIONS = sorted({op.action for op in _ALL} - {"view"})
