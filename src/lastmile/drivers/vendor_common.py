"""Pieces the vendor switch drivers share: a reboot or save that is one SET."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from lastmile.drivers.base import DeviceUnreachable, Target
from lastmile.drivers.generic import GenericSwitch


class VendorSwitch(GenericSwitch):
    """A standard (IF-MIB / Q-BRIDGE-MIB) switch with its vendor's reboot and save SETs."""

    reboot_set: ClassVar[Sequence[tuple[str, Any]]] = ()
    save_set: ClassVar[Sequence[tuple[str, Any]]] = ()
    #: words in sysDescr that identify the models this driver is for
    models: ClassVar[tuple[str, ...]] = ()

    def model_from(self, descr: str, object_id: str) -> str:
        for model in self.models:
            if model.lower() in descr.lower():
                return model
        return super().model_from(descr, object_id)

    async def reboot(self, target: Target) -> None:
        if not self.reboot_set:
            raise self._unsupported("reboot")
        try:
            await self.snmp(target).set(list(self.reboot_set))
        except DeviceUnreachable:
            # A device may reboot before it answers the SET; that is success we
            # cannot confirm, so say so rather than claim either way.
            raise DeviceUnreachable(
                f"{target.host}: no answer to the reboot command: the device may be restarting"
            ) from None

    async def save_config(self, target: Target) -> None:
        if not self.save_set:
            raise self._unsupported("saving the configuration")
        await self.snmp(target).set(list(self.save_set))
