"""What a device said, kept locally: port states and VLAN membership
(written only after the device answered)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from lastmile.devices.models import Device, LinkState, Port, PortVlan
from lastmile.drivers import base


def store_port_states(
    device: Device, states: list[base.PortState], *, prune: bool = False
) -> list[Port]:
    """Create or refresh the ports the device reported; staff-added ports stay."""
    now = timezone.now()
    by_number = {p.number: p for p in device.ports.all()}
    out = []
    with transaction.atomic():
        for state in states:
            port = by_number.get(state.number) or Port(device=device, number=state.number)
            port.name = port.name or state.name
            port.description = port.description or state.description
            port.admin_up = state.admin_up
            port.link = LinkState(state.link.value) if state.link else LinkState.UNKNOWN
            port.speed_mbps = state.speed_mbps
            port.read_at = now
            port.save()
            out.append(port)
    return out


def store_vlans(
    device: Device, vlans: list[base.Vlan], *, only_ports: set[int] | None = None
) -> None:
    """Replace the VLAN membership of the device's ports with what it reported."""
    ports = {p.number: p for p in device.ports.all()}
    wanted: dict[int, dict[int, bool]] = {n: {} for n in ports}
    for vlan in vlans:
        for number in vlan.tagged:
            wanted.setdefault(number, {})[vlan.vid] = True
        for number in vlan.untagged:
            wanted.setdefault(number, {})[vlan.vid] = False
    with transaction.atomic():
        for number, members in wanted.items():
            if only_ports is not None and number not in only_ports:
                continue
            port = ports.get(number)
            if port is None:
                port = Port.objects.create(device=device, number=number)
            PortVlan.objects.filter(port=port).delete()
            PortVlan.objects.bulk_create(
                [PortVlan(port=port, vid=vid, is_tagged=tagged) for vid, tagged in members.items()]
            )
