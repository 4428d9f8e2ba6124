"""Monitoring: polls, flap damping, status history, one notification per change."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from lastmile.devices import monitoring
from lastmile.devices.models import Device, StatusChange
from lastmile.notifications.models import Outbox
from tests.devices.conftest import operator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _poll(switch: Device) -> None:
    monitoring.poll_devices(Device.objects.filter(pk=switch.pk))


def test_a_device_going_down_and_up_gives_one_notification_per_change(switch, stubs, mail, on_duty):
    elsewhere = operator("south-duty", ["view", "notify"], group="South")
    elsewhere.email = "south@example.net"
    elsewhere.save()
    bystander = UserFactory(username="bystander", email="by@example.net")  # no notify
    stubs["switch"].down_hosts.add(str(switch.ip))
    for _ in range(4):  # down for four polls: one change
        _poll(switch)
    stubs["switch"].down_hosts.clear()
    for _ in range(3):  # up again for three polls: one change
        _poll(switch)
    switch.refresh_from_db()
    assert switch.status == "up"
    changes = list(StatusChange.objects.filter(device=switch).order_by("at", "id"))
    assert [(c.previous, c.status) for c in changes] == [("up", "down"), ("down", "up")]
    rows = list(Outbox.objects.order_by("id"))
    assert [(r.event, r.recipient) for r in rows] == [
        ("device_down", "duty@example.net"),
        ("device_up", "duty@example.net"),
    ]
    assert "sw-north-1" in rows[0].subject
    assert not Outbox.objects.filter(staff_user__in=[elsewhere, bystander]).exists()


def test_flap_damping_ignores_a_single_lost_poll(switch, stubs, mail, on_duty):
    stubs["switch"].down_hosts.add(str(switch.ip))
    _poll(switch)  # one lost poll
    stubs["switch"].down_hosts.clear()
    _poll(switch)
    switch.refresh_from_db()
    assert switch.status == "up"
    assert not StatusChange.objects.exists()
    assert not Outbox.objects.exists()


def test_flap_damping_by_seconds_too(switch, stubs, mail, on_duty):
    from datetime import timedelta

    from django.utils import timezone

    mail.devices_flap_polls, mail.devices_flap_seconds = 1, 60
    start = timezone.now()
    assert monitoring.observe(switch, is_up=False, at=start) is None
    assert monitoring.observe(switch, is_up=False, at=start + timedelta(seconds=30)) is None
    change = monitoring.observe(switch, is_up=False, at=start + timedelta(seconds=61))
    assert change is not None and change.status == "down"


def test_the_first_status_of_a_new_device_is_history_not_news(stubs, north, mail, on_duty):
    device = Device.objects.create(
        name="new-sw", driver="test-switch", ip="192.0.2.77", group=north
    )
    _poll(device)
    _poll(device)
    device.refresh_from_db()
    assert device.status == "up"
    assert StatusChange.objects.filter(device=device, previous="unknown", status="up").exists()
    assert not Outbox.objects.exists()


def test_devices_without_a_type_are_not_polled_and_keep_their_status(db, mail):
    box = Device.objects.create(name="box", ip="192.0.2.5")
    assert monitoring.poll_devices(Device.objects.all())["polled"] == 0
    box.refresh_from_db()
    assert box.status == "unknown"


def test_the_poll_stores_port_states(switch, stubs, mail):
    _poll(switch)
    assert sorted(switch.ports.values_list("number", "link")) == [
        (1, "up"), (2, "up"), (3, "up"), (4, "up")
    ]  # fmt: skip


# The webhook for external monitors -------------------------------------------------


@pytest.fixture
def hook(mail):  # type: ignore[no-untyped-def]
    mail.devices_webhook_token = SecretStr("zabbix-token-1")
    yield "zabbix-token-1"
    mail.devices_webhook_token = None


def _post(client, token, **data):  # type: ignore[no-untyped-def]
    return client.post(
        "/devices/webhook/status",
        data=json.dumps(data),
        content_type="application/json",
        HTTP_X_LASTMILE_TOKEN=token,
    )


def test_the_webhook_needs_its_token(client, switch, hook):
    assert _post(client, "", device=switch.name, status="down").status_code == 401
    assert _post(client, "wrong", device=switch.name, status="down").status_code == 401
    switch.refresh_from_db()
    assert switch.status == "up"


def test_an_external_monitor_reports_by_ip_and_notifies_once(client, switch, hook, on_duty):
    response = _post(client, hook, device="192.0.2.10", status="PROBLEM", message="ICMP lost")
    assert response.status_code == 200 and response.json()["changed"] is True
    again = _post(client, hook, device="192.0.2.10", status="PROBLEM")
    assert again.json()["changed"] is False
    switch.refresh_from_db()
    assert switch.status == "down"
    assert StatusChange.objects.get().source == "webhook"
    assert Outbox.objects.filter(event="device_down").count() == 1
    assert _post(client, hook, device="sw-north-1", status="OK").json()["status"] == "up"
    assert Outbox.objects.filter(event="device_up").count() == 1


def test_the_webhook_refuses_what_it_does_not_understand(client, switch, hook):
    assert _post(client, hook, device="nope", status="down").status_code == 404
    assert _post(client, hook, device=switch.name, status="sideways").status_code == 400


def test_the_webhook_is_off_without_a_token(client, switch, mail):
    assert _post(client, "x", device=switch.name, status="down").status_code == 404


def test_the_periodic_job_polls(switch, stubs, mail):
    from lastmile.devices.jobs import poll_devices as job

    assert job(timestamp=0)["polled"] == 1
    assert stubs["switch"].calls[-1][0] == "poll"


def test_an_uplink_link_change_is_recorded_and_notified_once(switch, stubs, mail, on_duty):
    from dataclasses import replace

    from lastmile.devices.models import PortLinkChange
    from lastmile.drivers import base

    stub = stubs["switch"]
    _poll(switch)  # the ports' first state is not news
    switch.ports.filter(number=1).update(role="uplink")
    assert switch.ports.get(number=3).role == ""
    flap = [base.LinkState.DOWN, base.LinkState.UP]  # one poll down: damped, no change
    for link in flap:
        stub.ports_state[1] = replace(stub.ports_state[1], link=link)
        _poll(switch)
    assert not PortLinkChange.objects.exists()
    assert switch.ports.get(number=1).link == "up"
    for _ in range(3):  # uplink down for three polls; customer port 3 down too
        stub.ports_state[1] = replace(stub.ports_state[1], link=base.LinkState.DOWN)
        stub.ports_state[3] = replace(stub.ports_state[3], link=base.LinkState.DOWN)
        _poll(switch)
    for _ in range(2):
        stub.ports_state[1] = replace(stub.ports_state[1], link=base.LinkState.UP)
        _poll(switch)
    changes = list(PortLinkChange.objects.order_by("at", "id"))
    assert [(c.port.number, c.previous, c.link) for c in changes] == [
        (1, "up", "down"),
        (1, "down", "up"),
    ]
    rows = list(Outbox.objects.order_by("id"))
    assert [r.recipient for r in rows] == ["duty@example.net", "duty@example.net"]
    assert [r.event for r in rows] == ["port_down", "port_up"]
    assert "port1" in rows[0].subject and "sw-north-1" in rows[0].body
    assert switch.status == "up" and not StatusChange.objects.filter(device=switch).exists()
