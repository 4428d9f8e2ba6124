"""Changing and deleting a device through the REST API: the same service and
checks as the staff form, scoped by group, with the change on the action log
for a delete and a clear 4xx (nothing saved) for refused input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lastmile.accounts.services import create_api_token
from lastmile.devices.models import Device, DeviceAction, Port
from lastmile.network.models import AccessBinding
from tests.devices.conftest import operator
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _headers(user: Any) -> dict[str, str]:
    _token, secret = create_api_token(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _patch(client: Any, user: Any, device: Device, body: dict[str, Any]) -> Any:
    return client.patch(
        f"/api/v1/devices/{device.pk}",
        json.dumps(body),
        content_type="application/json",
        **_headers(user),
    )


def test_a_patch_changes_only_the_fields_given(client, admin_user, switch):
    answer = _patch(
        client, admin_user, switch, {"name": "sw-north-renamed", "mac": "00:11:22:33:44:55"}
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["name"] == "sw-north-renamed"
    switch.refresh_from_db()
    assert (switch.name, switch.mac, str(switch.ip)) == (
        "sw-north-renamed",
        "00:11:22:33:44:55",
        "192.0.2.10",
    )
    assert switch.get_secret("snmp_community") == "s3cret-community"


def test_a_secret_is_replaced_only_when_given_non_empty(client, admin_user, switch):
    assert _patch(client, admin_user, switch, {"snmp_community": ""}).status_code == 200
    switch.refresh_from_db()
    assert switch.get_secret("snmp_community") == "s3cret-community"
    assert _patch(client, admin_user, switch, {"snmp_community": "n3w"}).status_code == 200
    switch.refresh_from_db()
    assert switch.get_secret("snmp_community") == "n3w"
    assert "n3w" not in json.dumps(_patch(client, admin_user, switch, {}).json())


def test_hostile_values_are_a_clear_422_and_nothing_changes(client, admin_user, switch):
    for body, field in (
        ({"ip": "not-an-address"}, "ip"),
        ({"driver": "no-such-driver"}, "driver"),
        ({"parent_id": switch.pk}, "parent"),
        ({"name": None}, "name"),
        ({"group_id": 999999}, "group"),
    ):
        answer = _patch(client, admin_user, switch, body)
        assert answer.status_code == 422, (body, answer.content)
        assert answer.json()["field"] == field, (body, answer.json())
    switch.refresh_from_db()
    assert (switch.name, str(switch.ip), switch.driver) == (
        "sw-north-1",
        "192.0.2.10",
        "test-switch",
    )


def test_a_change_out_of_the_operators_groups_is_refused(client, switch, south):
    user = operator("north-admin", ["view", "change"])
    answer = _patch(client, user, switch, {"group_id": south.pk})
    assert answer.status_code == 403
    switch.refresh_from_db()
    assert switch.group.name == "North"
    viewer = operator("north-viewer", ["view"])
    assert _patch(client, viewer, switch, {"name": "x"}).status_code == 404


def test_a_delete_logs_who_deleted_what_and_keeps_the_bindings(client, admin_user, switch):
    port = Port.objects.create(device=switch, number=3, name="port3")
    binding = AccessBinding.objects.create(
        customer=CustomerFactory(), remote_id="sw-north-1", circuit_id="3", device_port=port
    )
    answer = client.delete(f"/api/v1/devices/{switch.pk}", **_headers(admin_user))
    assert answer.status_code == 204, answer.content
    assert not Device.objects.filter(pk=switch.pk).exists()
    binding.refresh_from_db()
    assert binding.device_port is None and binding.circuit_id == "3"
    entry = DeviceAction.objects.get(operation="delete_device")
    assert entry.device_name == "sw-north-1" and entry.actor_name == admin_user.username
    assert entry.result is not None and entry.result["ports"] == 1


def test_a_delete_needs_the_delete_permission_on_that_device(client, switch):
    user = operator("north-changer", ["view", "change"])
    assert client.delete(f"/api/v1/devices/{switch.pk}", **_headers(user)).status_code == 404
    assert Device.objects.filter(pk=switch.pk).exists()


def test_the_staff_delete_page_goes_through_the_same_service(admin_client, switch):
    assert admin_client.post(f"/devices/{switch.pk}/delete/").status_code == 302
    assert not Device.objects.filter(pk=switch.pk).exists()
    assert DeviceAction.objects.filter(operation="delete_device", device_name="sw-north-1").exists()
    page = admin_client.get("/devices/actions/").content.decode()
    assert "delete the device" in page and "delete_device" not in page
