"""Fixtures of the devices tests.

``StubSwitch``/``StubOlt`` are drivers registered for a test only.  They
test the devices app's own rules (permissions, the action log, timeouts,
the CLI lock, flap damping) — not device protocols, which the drivers'
tests cover against snmpsim and the ZTE CLI peer (tests/drivers/).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

import pydantic
import pytest

from lastmile.devices.models import Device
from lastmile.drivers import base
from lastmile.drivers.sim import Agent, snmpsim_agent
from lastmile.drivers.sim.zte_cli import OltState, ZteCliPeer, zte_cli_peer
from tests.e2e.conftest import browser  # noqa: F401  (the suite's Chromium, for test_browser)
from tests.factories import CustomerGroupFactory, UserFactory, grant


class OltExtra(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    telnet_prompt: str = "OLT#"
    max_onus_per_fiber: int = pydantic.Field(64, ge=1, le=128)


class StubSwitch(base.Driver):
    name = "test-switch"
    title = "Test switch"

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.ports_state = {
            n: base.PortState(number=n, name=f"port{n}", link=base.LinkState.UP, speed_mbps=100)
            for n in range(1, 5)
        }
        self.vlan_members: dict[int, dict[int, bool]] = {1: dict.fromkeys(range(1, 5), False)}
        self.down_hosts: set[str] = set()
        self.slow_hosts: set[str] = set()
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.gate: threading.Event | None = None

    async def _enter(self, target: base.Target, what: str, **params: Any) -> None:
        self.calls.append((what, target.host, params))
        if target.host in self.slow_hosts:
            await asyncio.sleep(3600)
        if target.host in self.down_hosts:
            raise base.DeviceUnreachable(f"{target.host}: no SNMP answer in {target.timeout_s} s")

    async def poll(self, target: base.Target) -> base.Reachability:
        try:
            await self._enter(target, "poll")
        except base.DeviceUnreachable as exc:
            return base.Reachability(is_up=False, error=str(exc))
        return base.Reachability(is_up=True, uptime_s=100, ports=tuple(self.ports_state.values()))

    async def ports(self, target: base.Target) -> list[base.PortState]:
        await self._enter(target, "ports")
        return list(self.ports_state.values())

    async def set_port_admin(self, target: base.Target, port: int, *, up: bool) -> base.PortState:
        await self._enter(target, "set_port_admin", port=port, up=up)
        if port not in self.ports_state:
            raise base.BadInput(f"no port {port}")
        state = replace(
            self.ports_state[port],
            admin_up=up,
            link=base.LinkState.UP if up else base.LinkState.DOWN,
        )
        self.ports_state[port] = state
        return state

    async def mac_table(
        self, target: base.Target, *, port: int | None = None
    ) -> list[base.MacEntry]:
        await self._enter(target, "mac_table")
        return [base.MacEntry(mac="00:11:22:33:44:55", port=2, vlan=100)]

    def _vlans(self) -> list[base.Vlan]:
        return [
            base.Vlan(
                vid=vid,
                tagged=frozenset(p for p, t in members.items() if t),
                untagged=frozenset(p for p, t in members.items() if not t),
            )
            for vid, members in sorted(self.vlan_members.items())
        ]

    async def vlans(self, target: base.Target) -> list[base.Vlan]:
        await self._enter(target, "vlans")
        return self._vlans()

    async def set_port_vlans(
        self, target: base.Target, port: int, *, untagged: int | None, tagged: frozenset[int]
    ) -> list[base.Vlan]:
        await self._enter(target, "set_port_vlans", port=port, untagged=untagged, tagged=tagged)
        for members in self.vlan_members.values():
            members.pop(port, None)
        if untagged:
            self.vlan_members.setdefault(untagged, {})[port] = False
        for vid in tagged:
            self.vlan_members.setdefault(vid, {})[port] = True
        return self._vlans()

    async def reboot(self, target: base.Target) -> None:
        await self._enter(target, "reboot")


class StubOlt(StubSwitch):
    name = "test-olt"
    title = "Test OLT"
    is_olt = True
    extra_schema = OltExtra

    def reset(self) -> None:
        super().reset()
        self.onu_list = [
            base.Onu(
                fiber="gpon-olt_1/2/1", number=1, serial="ZTEGC0FFEE01", name="flat 5",
                status="working", rx_dbm=-21.5, vlans=(100, 200, 300),
            ),
        ]  # fmt: skip
        self.unregistered = [base.Onu(fiber="gpon-olt_1/2/1", number=None, serial="ZTEGDEADBEEF")]

    async def onus(self, target: base.Target, *, fiber: str | None = None) -> list[base.Onu]:
        await self._enter(target, "onus")
        return list(self.onu_list)

    async def unregistered_onus(self, target: base.Target) -> list[base.Onu]:
        await self._enter(target, "unregistered_onus")
        return list(self.unregistered)

    async def register_onu(
        self,
        target: base.Target,
        *,
        fiber: str,
        serial: str,
        template: str,
        params: Mapping[str, Any],
    ) -> base.Onu:
        await self._enter(target, "register_onu", serial=serial, template=template)
        if self.gate is not None:
            await asyncio.to_thread(self.gate.wait, 10)
        onu = base.Onu(fiber=fiber, number=len(self.onu_list) + 1, serial=serial)
        self.onu_list.append(onu)
        self.unregistered = [o for o in self.unregistered if o.serial != serial]
        return onu

    async def set_onu_name(
        self, target: base.Target, *, fiber: str, number: int, name: str, description: str = ""
    ) -> base.Onu:
        await self._enter(target, "set_onu_name", fiber=fiber, number=number, name=name)
        for i, onu in enumerate(self.onu_list):
            if onu.fiber == fiber and onu.number == number:
                self.onu_list[i] = replace(onu, name=name, description=description)
                return self.onu_list[i]
        raise base.DeviceError(f"no ONU {fiber}:{number}")


@pytest.fixture
def stubs() -> Iterator[dict[str, StubSwitch]]:
    base._load_all()
    switch, olt = StubSwitch(), StubOlt()
    base.REGISTRY[switch.name] = switch
    base.REGISTRY[olt.name] = olt
    yield {"switch": switch, "olt": olt}
    base.REGISTRY.pop(switch.name, None)
    base.REGISTRY.pop(olt.name, None)


@pytest.fixture
def north(db):  # type: ignore[no-untyped-def]
    return CustomerGroupFactory(name="North")


@pytest.fixture
def south(db):  # type: ignore[no-untyped-def]
    return CustomerGroupFactory(name="South")


@pytest.fixture
def switch(stubs, north) -> Device:  # type: ignore[no-untyped-def]
    device = Device(
        name="sw-north-1", driver="test-switch", ip="192.0.2.10", group=north, status="up"
    )
    device.set_secret("snmp_community", "s3cret-community")
    device.save()
    return device


@pytest.fixture
def olt(stubs, north) -> Device:  # type: ignore[no-untyped-def]
    device = Device(name="olt-north", driver="test-olt", ip="192.0.2.20", group=north, status="up")
    device.cli_username = "admin"
    device.set_secret("cli_password", "zte")
    device.save()
    return device


@pytest.fixture
def south_switch(stubs, south) -> Device:  # type: ignore[no-untyped-def]
    return Device.objects.create(
        name="sw-south-1", driver="test-switch", ip="192.0.2.30", group=south, status="up"
    )


def operator(username: str, actions: list[str], group: str = "North"):  # type: ignore[no-untyped-def]
    """A staff member with ``actions`` on the devices of one group only."""
    user = UserFactory(username=username)
    grant(user, Device, actions, constraints={"group__name": group})
    return user


@pytest.fixture
def mail(settings):  # type: ignore[no-untyped-def]
    """Staff e-mail on (so notify() has a channel; nothing is sent in tests) and
    flap damping of two readings in a row, with no minimum hold."""
    conf = settings.LASTMILE
    previous = conf.smtp_host, conf.devices_flap_polls, conf.devices_flap_seconds
    conf.smtp_host, conf.devices_flap_polls, conf.devices_flap_seconds = "127.0.0.1", 2, 0
    yield conf
    conf.smtp_host, conf.devices_flap_polls, conf.devices_flap_seconds = previous


@pytest.fixture
def on_duty(north):  # type: ignore[no-untyped-def]
    """The North group's staff on duty: hears about its devices."""
    user = operator("on-duty", ["view", "notify"])
    user.email = "duty@example.net"
    user.save()
    return user


# The simulators: the snmpsim agent (one per module) and the ZTE CLI peer.
@pytest.fixture(scope="module")
def agent() -> Iterator[Agent]:
    with snmpsim_agent() as running:
        yield running


@pytest.fixture
def peer() -> Iterator[ZteCliPeer]:
    with zte_cli_peer(OltState.demo()) as running:
        yield running


@pytest.fixture
def zte(agent, peer, north) -> Device:  # type: ignore[no-untyped-def]
    device = Device(
        name="olt-zte", driver="zte_c320", ip=agent.host, snmp_port=agent.port, group=north,
        status="up", cli_username="zte", cli_port=peer.port,
    )  # fmt: skip
    device.set_secret("snmp_community", "zte_c320")
    device.set_secret("cli_password", "zte")
    device.save()
    return device
