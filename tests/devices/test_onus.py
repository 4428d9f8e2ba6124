"""ONUs stored from the OLT, an ONU's VLANs added / removed on the OLT (the
ZTE CLI peer; BDCOM: not supported) under the scoped ``change_vlan``
permission, ONU templates in the staff UI with a command preview."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lastmile.devices import onus, services
from lastmile.devices.errors import DeviceOperationError, OperationDenied
from lastmile.devices.models import Device, DeviceAction, Onu, OnuTemplate
from lastmile.drivers import base
from tests.devices.conftest import operator
from tests.factories import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(zte) -> list[Onu]:  # type: ignore[no-untyped-def]
    return onus.refresh_onus(zte)


def _onu(zte: Device, number: int = 1) -> Onu:
    return Onu.objects.get(olt=zte, fiber="gpon-olt_1/1/1", number=number)


def test_refresh_stores_the_olts_onus_with_signal(zte, stored):
    row = _onu(zte)
    assert (row.serial, row.name, row.is_present) == ("ZTEGC0A10001", "ivanov-12", True)
    live = services.run_operation(actor=None, device=zte, operation="onus")
    for reported in live:
        got = Onu.objects.get(olt=zte, fiber=reported.fiber, number=reported.number)
        want = None if reported.rx_dbm is None else Decimal(str(round(reported.rx_dbm, 2)))
        assert got.rx_dbm == want
    assert isinstance(row.rx_dbm, Decimal)
    assert row.last_seen_at is not None
    # an ONU the OLT stops listing stays, marked absent
    onus.store_onus(zte, [base.Onu(fiber="gpon-olt_1/1/1", number=1, serial="ZTEGC0A10001")])
    assert _onu(zte, 2).is_present is False and _onu(zte).is_present is True
    assert DeviceAction.objects.filter(operation="onus", outcome="ok").exists()


def test_the_job_refreshes_every_olt(zte, switch):
    counts = onus.refresh_all_onus()
    assert counts["olts"] == 1 and counts["onus"] == Onu.objects.filter(olt=zte).count() > 0


def test_a_scoped_technician_adds_and_removes_an_onu_vlan(zte, peer, stored, client, south):
    """The operators' request: adding a VLAN to an ONU failed for staff
    without full rights.  A permission on the devices of one group is enough."""
    tech = operator("tech-north", ["view", "change_vlan"])
    grant(tech, Onu, ["view"], constraints={"olt__group__name": "North"})
    client.force_login(tech)
    onu = _onu(zte)
    page = client.get(f"/devices/onus/{onu.pk}/").content.decode()
    assert "Apply on the OLT" in page
    done = client.post(
        f"/devices/onus/{onu.pk}/vlans/", {"action": "add", "vlan": "400"}, follow=True
    )
    assert "VLAN 400 added to the ONU." in done.content.decode()
    assert "service-port 2 vport 1 user-vlan 400 vlan 400" in peer.state.fibers["1/1/1"][1].lines
    shown = client.get(f"/devices/{zte.pk}/onus/vlans/?fiber=gpon-olt_1/1/1&number=1")
    assert shown.content.decode().strip().endswith("100, 400")  # the last one too
    client.post(f"/devices/onus/{onu.pk}/vlans/", {"action": "remove", "vlan": "400"})
    assert not any("400" in line for line in peer.state.fibers["1/1/1"][1].lines)
    rows = DeviceAction.objects.filter(actor_name="tech-north").order_by("id")
    assert [(r.operation, r.outcome) for r in rows if r.operation.endswith("onu_vlan")] == [
        ("add_onu_vlan", "ok"),
        ("remove_onu_vlan", "ok"),
    ]


def test_a_technician_of_another_group_may_not(zte, peer, stored, south):
    other = operator("tech-south", ["view", "change_vlan"], group="South")
    with pytest.raises(OperationDenied):
        services.run_operation(
            actor=other, device=zte, operation="add_onu_vlan",
            params={"fiber": "gpon-olt_1/1/1", "number": 1, "vlan": 400},
        )  # fmt: skip
    assert "conf t" not in peer.state.log
    assert DeviceAction.objects.get(actor_name="tech-south").outcome == "denied"


@pytest.mark.parametrize("vlan", ["0", "4095", "abc"])
def test_an_onu_vlan_out_of_range_is_refused_and_logged(zte, peer, stored, admin_client, vlan):
    onu = _onu(zte)
    page = admin_client.post(
        f"/devices/onus/{onu.pk}/vlans/", {"action": "add", "vlan": vlan}, follow=True
    ).content.decode()
    assert "A VLAN ID is a number from 1 to 4094" in page
    assert peer.state.log == [] or "conf t" not in peer.state.log
    row = DeviceAction.objects.get(operation="add_onu_vlan")
    assert row.outcome == "bad_input" and row.parameters["vlan"] == vlan


def test_bdcom_onu_vlans_are_not_supported_cleanly(agent, north, admin_user):
    olt = Device(
        name="olt-bdcom", driver="bdcom_p3310", ip=agent.host, snmp_port=agent.port, group=north
    )
    olt.set_secret("snmp_community", "bdcom_p3310")
    olt.save()
    with pytest.raises(DeviceOperationError) as caught:
        services.run_operation(
            actor=admin_user, device=olt, operation="add_onu_vlan",
            params={"fiber": "EPON0/2", "number": 1, "vlan": 100},
        )  # fmt: skip
    assert caught.value.outcome == "unsupported"
    assert "not supported" in str(caught.value)
    assert DeviceAction.objects.get(device=olt).outcome == "unsupported"


def test_the_staff_onu_list_filters_exports_and_restricts(zte, stored, client, south):
    tech = operator("viewer", ["view"])
    grant(tech, Onu, ["view"], constraints={"olt__group__name": "South"})
    client.force_login(tech)
    assert "ZTEGC0A10001" not in client.get("/devices/onus/").content.decode()
    viewer = operator("viewer-north", ["view"])
    grant(viewer, Onu, ["view"], constraints={"olt__group__name": "North"})
    client.force_login(viewer)
    html = client.get("/devices/onus/?q=ivanov").content.decode()
    assert "ZTEGC0A10001" in html and "ZTEGC0A10002" not in html
    response = client.get("/devices/onus/?_export=csv")
    csv = b"".join(response.streaming_content).decode()
    assert "ZTEGC0A10002" in csv
    assert client.get("/devices/onus/?_export=xlsx").status_code == 200


def test_the_olt_page_shows_stored_onus(zte, stored, admin_client):
    html = admin_client.get(f"/devices/{zte.pk}/onus/").content.decode()
    assert f"/devices/onus/{_onu(zte).pk}/" in html and "ivanov-12" in html


def test_onu_templates_are_edited_and_validated_in_the_staff_ui(admin_client):
    bad = admin_client.post(
        "/devices/templates/add/",
        {"name": "T", "driver": "zte_c320", "vlan": "5000", "driver_template": "f601-bridge"},
    )
    assert bad.status_code == 200 and not OnuTemplate.objects.exists()
    wrong = admin_client.post(
        "/devices/templates/add/",
        {"name": "T", "driver": "bdcom_p3310", "vlan": "150", "driver_template": ""},
    )
    assert "has no ONU configuration templates" in wrong.content.decode()
    ok = admin_client.post(
        "/devices/templates/add/",
        {"name": "F601 VLAN 150", "driver": "zte_c320", "vlan": "150",
         "driver_template": "f601-bridge"},
    )  # fmt: skip
    assert ok.status_code == 302, ok.content[:500]
    listed = admin_client.get("/devices/templates/").content.decode()
    assert "F601 VLAN 150" in listed


def test_a_template_preview_shows_the_commands_for_an_onu(zte, peer, stored, admin_client):
    template = OnuTemplate.objects.create(
        name="F601 150", driver="zte_c320", driver_template="f601-bridge", vlan=150
    )
    onu = _onu(zte, 3)
    html = admin_client.get(f"/devices/onus/{onu.pk}/?template={template.pk}").content.decode()
    assert "onu 3 type ZTE-F601 sn ZTEGC0A10003" in html
    assert "service-port 1 vport 1 user-vlan 150 vlan 150" in html
    assert peer.state.log == []  # nothing was sent


# ONU VLANs kept on the row ----------------------------------------------------------


def test_an_onu_vlan_read_is_stored_on_its_row(zte, peer, stored, admin_client):
    onu = _onu(zte, 2)
    assert onu.vlans_read_at is None
    admin_client.get(f"/devices/{zte.pk}/onus/vlans/?fiber=gpon-olt_1/1/1&number=2")
    onu.refresh_from_db()
    assert onu.vlans == [100, 200, 300, 301, 302, 310]
    assert onu.vlans_read_at is not None


def test_an_onu_vlan_change_stores_what_the_olt_reads_back(zte, peer, stored, admin_user):
    for operation in ("add_onu_vlan", "remove_onu_vlan"):
        answer = services.run_operation(
            actor=admin_user, device=zte, operation=operation,
            params={"fiber": "gpon-olt_1/1/1", "number": 1, "vlan": 400},
        )  # fmt: skip
        assert _onu(zte).vlans == sorted(answer)
        assert (400 in _onu(zte).vlans) is (operation == "add_onu_vlan")


def test_an_olt_that_does_not_answer_shows_the_stored_vlans(zte, peer, stored, admin_client):
    admin_client.get(f"/devices/{zte.pk}/onus/vlans/?fiber=gpon-olt_1/1/1&number=2")
    zte.cli_port = 1  # nothing listens there
    zte.save()
    html = admin_client.get(
        f"/devices/{zte.pk}/onus/vlans/?fiber=gpon-olt_1/1/1&number=2"
    ).content.decode()
    assert "100, 200, 300, 301, 302, 310" in html and "as read" in html
    assert "status-down" in html  # and the error, so staff know it is not live
    page = admin_client.get(f"/devices/onus/{_onu(zte, 2).pk}/").content.decode()
    assert "100, 200, 300, 301, 302, 310" in page  # shown before the live read answers
