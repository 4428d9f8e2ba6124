"""ZTE C320 ONU configuration templates, the OLT's extra data, and the error
a failed registration raises (with the steps done and whether it was undone)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from lastmile.drivers.base import DeviceError
from lastmile.drivers.zte_codec import MAX_ONUS


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
