"""What a device said, kept locally: port states, VLAN membership and ONU
VLANs (written only after the device answered).

Link states of watched ports (``Port.is_watched``: uplinks unless a port
says otherwise) are damped here, in the one
function both the periodic poll and a staff "Read from the device" use: a
new link state counts only after ``devices_flap_polls`` readings in a row
saw it and it held ``devices_flap_seconds``; then one ``PortLinkChange`` row
and one ``port_down`` / ``port_up`` notification per responsible staff
member.  A port's first known state is not news.  Whoever reads first, the
count goes on, so a change that a staff read saw first is still notified.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lastmile.devices import alerts, locks
from lastmile.devices.models import Device, LinkState, Onu, Port, PortLinkChange, PortVlan
from lastmile.drivers import base

log = structlog.get_logger(__name__)


@dataclass
class StoredPorts:
    ports: list[Port] = field(default_factory=list)
    changes: list[PortLinkChange] = field(default_factory=list)


def store_port_states(
    device: Device,
    states: list[base.PortState],
    *,
    at: datetime | None = None,
) -> StoredPorts:
    """Create or refresh the ports the device reported (staff-added ports
    stay); a watched port's link goes through the damping."""
    at = at or timezone.now()
    out = StoredPorts()
    with transaction.atomic():
        by_number = {p.number: p for p in locks.device_ports(device)}
        for state in states:
            port = by_number.get(state.number) or Port(device=device, number=state.number)
            port.name = port.name or state.name
            port.description = port.description or state.description
            port.admin_up = state.admin_up
            port.speed_mbps = state.speed_mbps
            port.read_at = at
            seen = LinkState(state.link.value) if state.link else LinkState.UNKNOWN
            change = _link_transition(device, port, seen, at)
            port.save()
            out.ports.append(port)
            if change is not None:
                out.changes.append(change)
                # In the same transaction: the outbox row exists iff the change does.
                alerts.notify_link_change(device, port, change)
    return out


def _link_transition(
    device: Device, port: Port, seen: LinkState, at: datetime
) -> PortLinkChange | None:
    """Set ``port.link`` from one reading ``seen``; the counted change, if any."""
    is_watched = port.pk is not None and port.is_watched
    if not is_watched or seen == LinkState.UNKNOWN or port.link == LinkState.UNKNOWN:
        port.link = seen
        _clear_pending(port)
        return None
    if seen == port.link:
        _clear_pending(port)
        return None
    conf = settings.LASTMILE
    if port.link_pending != seen or port.link_pending_since is None:
        port.link_pending, port.link_pending_since, port.link_pending_count = seen, at, 0
    port.link_pending_count += 1
    held_s = (at - port.link_pending_since).total_seconds()
    if port.link_pending_count < conf.devices_flap_polls or held_s < conf.devices_flap_seconds:
        return None
    change = PortLinkChange.objects.create(
        port=port, device=device, link=seen, previous=port.link, at=at
    )
    port.link = seen
    _clear_pending(port)
    log.info("device.port_link", device_id=device.pk, port=port.number, link=seen)
    return change


def _clear_pending(port: Port) -> None:
    port.link_pending, port.link_pending_since, port.link_pending_count = "", None, 0


def store_onu_vlans(
    olt: Device, *, fiber: str, number: int, vlans: Iterable[int], at: datetime | None = None
) -> int:
    """Every VLAN the OLT reported for one ONU (a read, or the read-back after
    adding or removing one), kept on the ONU's row; 0 if it is not stored."""
    return Onu.objects.filter(olt=olt, fiber=fiber, number=number).update(
        vlans=sorted(set(vlans)), vlans_read_at=at or timezone.now()
    )


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
