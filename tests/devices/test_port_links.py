"""Uplink link changes against a real SNMP agent: one damped transition for
the periodic poll and a staff "Read from the device", and one ``port_down``
/ ``port_up`` notification per change through the outbox.

snmpsim serves two snapshots of the generic switch: ``cable-in`` (port 1
has its link) and ``cable-out`` (port 1 lost it; nothing else differs).
The device's community picks the snapshot, so "pulling the cable" is
changing which one the agent answers from.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lastmile.devices import monitoring
from lastmile.devices.models import Device, PortLinkChange
from lastmile.drivers.sim import DATA_DIR, Agent, snmpsim_agent
from lastmile.notifications.models import Outbox
from tests.devices.conftest import operator

pytestmark = pytest.mark.django_db

PORT1_OPER = "1.3.6.1.2.1.2.2.1.8.1|2|"  # ifOperStatus.1


@pytest.fixture(scope="module")
def cable_agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agent]:
    data = tmp_path_factory.mktemp("cable")
    lines = (DATA_DIR / "generic_snmp.snmprec").read_text().splitlines()
    assert PORT1_OPER + "1" in lines
    (data / "cable-in.snmprec").write_text("\n".join(lines) + "\n")
    out = [PORT1_OPER + "2" if line == PORT1_OPER + "1" else line for line in lines]
    (data / "cable-out.snmprec").write_text("\n".join(out) + "\n")
    with snmpsim_agent(Path(data)) as running:
        yield running


@pytest.fixture
def uplinked(cable_agent, north, mail) -> Device:  # type: ignore[no-untyped-def]
    """A live switch whose port 1 is its uplink, with its first states read."""
    device = Device(
        name="sw-cable", driver="generic_snmp", ip=cable_agent.host, snmp_port=cable_agent.port,
        group=north, status="up",
    )  # fmt: skip
    device.set_secret("snmp_community", "cable-in")
    device.save()
    _poll(device)  # the ports' first states: history, not news
    device.ports.filter(number=1).update(role="uplink")
    return device


def _cable(device: Device, *, plugged: bool) -> None:
    device.set_secret("snmp_community", "cable-in" if plugged else "cable-out")
    device.save()


def _poll(device: Device) -> None:
    assert monitoring.poll_devices(Device.objects.filter(pk=device.pk))["up"] == 1


def _link(device: Device) -> str:
    return device.ports.get(number=1).link


def _outbox() -> list[tuple[str, str]]:
    return [(r.event, r.recipient) for r in Outbox.objects.order_by("id")]


def test_an_uplink_going_down_is_notified_once_after_damping(uplinked, on_duty):
    elsewhere = operator("south-duty", ["view", "notify"], group="South")
    elsewhere.email = "south@example.net"
    elsewhere.save()
    assert _link(uplinked) == "up"
    _cable(uplinked, plugged=False)
    _poll(uplinked)  # one poll: not yet
    assert _link(uplinked) == "up" and _outbox() == []
    for _ in range(3):
        _poll(uplinked)
    assert _link(uplinked) == "down"
    assert _outbox() == [("port_down", "duty@example.net")]
    row = Outbox.objects.get()
    assert row.subject == "Port down: sw-cable 1"  # ifName of port 1 is "1"
    _cable(uplinked, plugged=True)
    for _ in range(2):
        _poll(uplinked)
    assert _outbox() == [("port_down", "duty@example.net"), ("port_up", "duty@example.net")]
    changes = PortLinkChange.objects.order_by("at", "id")
    assert [(c.port.number, c.previous, c.link) for c in changes] == [
        (1, "up", "down"),
        (1, "down", "up"),
    ]


def test_a_flap_inside_the_damping_window_is_not_notified(uplinked, on_duty):
    _cable(uplinked, plugged=False)
    _poll(uplinked)
    _cable(uplinked, plugged=True)
    _poll(uplinked)
    _poll(uplinked)
    assert _link(uplinked) == "up"
    assert not PortLinkChange.objects.exists() and _outbox() == []


def test_a_staff_read_then_a_poll_does_not_lose_the_change(uplinked, on_duty, admin_client):
    _cable(uplinked, plugged=False)
    page = admin_client.post(f"/devices/{uplinked.pk}/ports/")  # "Read from the device"
    assert page.status_code == 200 and "did not answer" not in page.content.decode()
    port = uplinked.ports.get(number=1)
    assert (port.link, port.link_pending, port.link_pending_count) == ("up", "down", 1)
    _poll(uplinked)  # the second reading in a row: the change counts, once
    assert _link(uplinked) == "down"
    assert _outbox() == [("port_down", "duty@example.net")]
    admin_client.post(f"/devices/{uplinked.pk}/ports/")
    _poll(uplinked)
    assert _outbox() == [("port_down", "duty@example.net")]


def test_a_port_without_the_uplink_role_is_stored_at_once_and_not_notified(uplinked, on_duty):
    uplinked.ports.filter(number=1).update(role="customer")
    _cable(uplinked, plugged=False)
    _poll(uplinked)
    assert _link(uplinked) == "down"
    assert not PortLinkChange.objects.exists() and _outbox() == []


def _set_port(client, device: Device, **fields: str):  # type: ignore[no-untyped-def]
    """The device page's port settings form for port 1 (staff ``change``)."""
    port = device.ports.get(number=1)
    data = {"mode": port.mode, "role": port.role, "watch": port.watch, **fields}
    return client.post(f"/devices/{device.pk}/ports/1/settings/", data)


def test_a_customer_port_set_to_always_watched_is_notified(uplinked, on_duty, admin_client):
    assert _set_port(admin_client, uplinked, role="customer", watch="always").status_code == 302
    assert uplinked.ports.get(number=1).is_watched
    _cable(uplinked, plugged=False)
    _poll(uplinked)
    _poll(uplinked)
    assert _link(uplinked) == "down"
    assert _outbox() == [("port_down", "duty@example.net")]


def test_an_uplink_set_to_never_watched_is_not_notified(uplinked, on_duty, admin_client):
    assert _set_port(admin_client, uplinked, watch="never").status_code == 302
    _cable(uplinked, plugged=False)
    _poll(uplinked)
    assert _link(uplinked) == "down"
    assert not PortLinkChange.objects.exists() and _outbox() == []
