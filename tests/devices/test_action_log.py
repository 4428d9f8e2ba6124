"""The device action log is append-only and says what happened."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from lastmile.devices import services
from lastmile.devices.errors import DeviceOperationError
from lastmile.devices.models import DeviceAction
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_log_refuses_update_and_delete(switch, admin_user):
    services.run_operation(actor=admin_user, device=switch, operation="ports")
    row = DeviceAction.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        DeviceAction.objects.filter(pk=row.pk).update(outcome="error")
    with pytest.raises(DatabaseError), transaction.atomic():
        DeviceAction.objects.filter(pk=row.pk).delete()
    assert DeviceAction.objects.get(pk=row.pk).outcome == "ok"


def test_every_command_is_logged_with_who_what_and_the_answer(switch, admin_user):
    services.run_operation(
        actor=admin_user, device=switch, operation="set_port_admin", params={"port": 2, "up": False}
    )
    row = DeviceAction.objects.get()
    assert (row.actor_id, row.actor_name, row.device_name) == (admin_user.pk, "root", switch.name)
    assert row.operation == "set_port_admin"
    assert row.parameters == {"port": 2, "up": False}
    assert row.outcome == "ok" and row.result is not None
    assert row.result["admin_up"] is False


def test_a_refused_command_is_logged_too(switch):
    outsider = UserFactory(username="outsider")
    with pytest.raises(DeviceOperationError):
        services.run_operation(actor=outsider, device=switch, operation="reboot", params={})
    row = DeviceAction.objects.get()
    assert row.outcome == "denied" and "reboot" in row.error


def test_the_log_outlives_the_device(switch, admin_user):
    services.run_operation(actor=admin_user, device=switch, operation="ports")
    switch.delete()
    row = DeviceAction.objects.get()
    assert row.device_name == "sw-north-1"
