"""Operations on devices: permissions, bad input, timeouts, the CLI lock."""

from __future__ import annotations

import threading

import pytest

from lastmile.devices import locks, services
from lastmile.devices.errors import DeviceBusy, DeviceOperationError, OperationDenied
from lastmile.devices.models import Device, DeviceAction, Port, PortVlan
from tests.devices.conftest import operator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _last() -> DeviceAction:
    return DeviceAction.objects.order_by("-id").first()  # type: ignore[return-value]


def test_a_device_that_does_not_answer_gives_a_clear_error(switch, stubs, admin_user, settings):
    stubs["switch"].slow_hosts.add(str(switch.ip))
    settings.LASTMILE.devices_operation_timeout_s = 0.3
    try:
        with pytest.raises(DeviceOperationError, match="sw-north-1 did not answer"):
            services.run_operation(
                actor=admin_user, device=switch, operation="set_port_admin",
                params={"port": 1, "up": False},
            )  # fmt: skip
    finally:
        settings.LASTMILE.devices_operation_timeout_s = 20.0
    row = _last()
    assert row.outcome == "unreachable" and "no answer within" in row.error
    assert not Port.objects.filter(device=switch).exists()  # nothing recorded as done


def test_an_unreachable_device_is_a_message_not_an_exception_page(switch, stubs, admin_client):
    stubs["switch"].down_hosts.add(str(switch.ip))
    response = admin_client.post(f"/devices/{switch.pk}/ports/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "did not answer" in response.content.decode()
    assert _last().outcome == "unreachable"


def test_a_device_without_a_type_says_to_choose_one(admin_user, db):
    device = Device.objects.create(name="box", ip="192.0.2.99")
    with pytest.raises(DeviceOperationError, match="has no device type"):
        services.run_operation(actor=admin_user, device=device, operation="ports")
    assert _last().outcome == "unsupported"


def test_an_operation_the_type_lacks_is_unsupported(switch, admin_user):
    with pytest.raises(DeviceOperationError, match="not supported"):
        services.run_operation(actor=admin_user, device=switch, operation="save_config")
    assert _last().outcome == "unsupported"


@pytest.mark.parametrize("vid", [0, 4095, -1, "abc", 70000])
def test_a_vlan_out_of_range_is_refused_before_anything_is_sent(switch, stubs, admin_user, vid):
    Port.objects.create(device=switch, number=3)
    with pytest.raises(DeviceOperationError, match="1 to 4094"):
        services.run_operation(
            actor=admin_user, device=switch, operation="set_port_vlans",
            params={"port": 3, "untagged": None, "tagged": [100, vid]},
        )  # fmt: skip
    assert stubs["switch"].calls == []
    assert not PortVlan.objects.exists()
    assert _last().outcome == "bad_input"


@pytest.mark.parametrize(
    "serial", ["", "ZTEG123", "ZTEGXYZ12345", "12:34:AB:CD:56", "ZTEG1234ABCD;reboot"]
)
def test_a_bad_onu_serial_is_refused_before_the_cli_is_touched(olt, stubs, admin_user, serial):
    with pytest.raises(DeviceOperationError, match="not an ONU serial"):
        services.run_operation(
            actor=admin_user, device=olt, operation="register_onu",
            params={"fiber": "gpon-olt_1/2/1", "serial": serial, "template": "", "params": {}},
        )  # fmt: skip
    assert stubs["olt"].calls == []
    assert _last().outcome == "bad_input"


def test_a_good_serial_registers_and_is_logged(olt, stubs, admin_user):
    onu = services.run_operation(
        actor=admin_user, device=olt, operation="register_onu",
        params={"fiber": "gpon-olt_1/2/1", "serial": "zteg1234abcd", "template": "t", "params": {}},
    )  # fmt: skip
    assert onu.serial == "ZTEG1234ABCD"
    last = _last()
    assert last.outcome == "ok" and last.result is not None
    assert last.result["number"] == 2


def test_vlan_change_is_applied_locally_only_after_the_device_agreed(switch, stubs, admin_user):
    services.run_operation(
        actor=admin_user, device=switch, operation="set_port_vlans",
        params={"port": 3, "untagged": 100, "tagged": [200, 300]},
    )  # fmt: skip
    port = Port.objects.get(device=switch, number=3)
    assert port.untagged_vid == 100 and port.tagged_vids == [200, 300]
    assert stubs["switch"].vlan_members[200][3] is True


# Permissions: owner, colleague, outsider, scoped --------------------------------------


def test_a_scoped_operator_may_change_vlans_without_full_rights(switch, south_switch, stubs):
    """The operators' request: adding a VLAN failed for staff without full
    rights.  ``change_vlan`` on one group is enough, and only there."""
    user = operator("vlan-op", ["view", "change_vlan"])
    services.run_operation(
        actor=user, device=switch, operation="set_port_vlans",
        params={"port": 2, "untagged": None, "tagged": [150]},
    )  # fmt: skip
    assert Port.objects.get(device=switch, number=2).tagged_vids == [150]
    with pytest.raises(OperationDenied):
        services.run_operation(
            actor=user, device=south_switch, operation="set_port_vlans",
            params={"port": 2, "untagged": None, "tagged": [150]},
        )  # fmt: skip
    with pytest.raises(OperationDenied):  # change_vlan is not toggle_port
        services.run_operation(
            actor=user, device=switch, operation="set_port_admin", params={"port": 2, "up": False}
        )


def test_full_change_rights_do_not_imply_operations(switch):
    editor = operator("editor", ["view", "change"])
    with pytest.raises(OperationDenied):
        services.run_operation(actor=editor, device=switch, operation="reboot")


def test_owner_colleague_outsider_on_the_device_page(switch, client):
    owner = operator("owner", ["view", "toggle_port", "change"])
    colleague = operator("colleague", ["view"])
    outsider = operator("outsider", ["view", "toggle_port"], group="South")
    Port.objects.create(device=switch, number=1)
    for user, status, has_button in ((owner, 200, True), (colleague, 200, False)):
        client.force_login(user)
        response = client.get(f"/devices/{switch.pk}/")
        assert response.status_code == status
        assert ("Disable the chosen ports" in response.content.decode()) is has_button
    client.force_login(outsider)
    assert client.get(f"/devices/{switch.pk}/").status_code == 404
    response = client.post(f"/devices/{switch.pk}/ports/1/toggle/", {"up": "0"})
    assert response.status_code == 404
    client.force_login(colleague)
    response = client.post(f"/devices/{switch.pk}/ports/1/toggle/", {"up": "0"}, follow=True)
    assert "not allowed" in response.content.decode()
    assert _last().outcome == "denied" and _last().actor_name == "colleague"


def test_a_user_without_any_permission_is_denied(switch):
    nobody = UserFactory(username="nobody")
    with pytest.raises(OperationDenied):
        services.run_operation(actor=nobody, device=switch, operation="ports")


# The CLI lock -------------------------------------------------------------------------


def test_cli_sessions_to_one_olt_wait_for_each_other_across_connections(
    olt, stubs, admin_user, settings
):
    """Another process holds the OLT's CLI lock: the operation waits, then
    gives up with a clear message; once free it runs."""
    settings.LASTMILE.devices_cli_lock_timeout_s = 0.5
    holding = threading.Event()
    release = threading.Event()

    def other_process() -> None:
        with locks.cli_session(olt.pk, timeout_s=5):
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=other_process)
    thread.start()
    try:
        assert holding.wait(10)
        with pytest.raises(DeviceBusy, match="another CLI session"):
            services.run_operation(
                actor=admin_user, device=olt, operation="set_onu_name",
                params={"fiber": "gpon-olt_1/2/1", "number": 1, "name": "flat 7"},
            )  # fmt: skip
        assert _last().outcome == "busy"
        assert stubs["olt"].calls == []
    finally:
        release.set()
        thread.join()
        settings.LASTMILE.devices_cli_lock_timeout_s = 30.0
    services.run_operation(
        actor=admin_user, device=olt, operation="set_onu_name",
        params={"fiber": "gpon-olt_1/2/1", "number": 1, "name": "flat 7"},
    )  # fmt: skip
    assert _last().outcome == "ok"


def test_snmp_reads_do_not_take_the_cli_lock(olt, stubs, admin_user, settings):
    settings.LASTMILE.devices_cli_lock_timeout_s = 0.2
    try:
        with locks.cli_session(olt.pk, timeout_s=1):
            services.run_operation(actor=admin_user, device=olt, operation="onus")
    finally:
        settings.LASTMILE.devices_cli_lock_timeout_s = 30.0
    assert _last().outcome == "ok"


# Operators' requests about ONUs ---------------------------------------------------------


def test_onu_names_are_written_to_the_olt(olt, stubs):
    """The operators' request: label ONUs on the ZTE OLT."""
    user = operator("labeler", ["view", "rename_onu"])
    onu = services.run_operation(
        actor=user, device=olt, operation="set_onu_name",
        params={"fiber": "gpon-olt_1/2/1", "number": "1", "name": " Lenina 5, flat 7 "},
    )  # fmt: skip
    assert onu.name == "Lenina 5, flat 7"
    assert stubs["olt"].calls[-1] == (
        "set_onu_name", "192.0.2.20",
        {"fiber": "gpon-olt_1/2/1", "number": 1, "name": "Lenina 5, flat 7"},
    )  # fmt: skip
    with pytest.raises(DeviceOperationError, match="1 to 64 printable"):
        services.run_operation(
            actor=user, device=olt, operation="set_onu_name",
            params={"fiber": "gpon-olt_1/2/1", "number": 1, "name": "x\ny"},
        )  # fmt: skip


def test_every_vlan_of_an_onu_is_shown_including_the_last(olt, stubs, admin_client):
    """The operators' request: the last VLAN on a ZTE ONU was not shown."""
    response = admin_client.get(f"/devices/{olt.pk}/onus/")
    html = response.content.decode()
    assert "100, 200, 300" in html
    assert "-21.50" in html
