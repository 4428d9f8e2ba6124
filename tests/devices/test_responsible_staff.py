"""Who hears about a device: the holders of its ``notify`` permission,
directly or through a group, within their constraints, active only, found
in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lastmile.devices.alerts import responsible_staff
from lastmile.devices.models import Device
from tests.devices.conftest import operator
from tests.factories import ObjectPermissionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def device(north):  # type: ignore[no-untyped-def]
    return Device.objects.create(name="sw-a", group=north)


def _names(device: Device) -> list[str]:
    return [user.username for user in responsible_staff(device)]


def test_a_direct_holder_within_its_constraints_is_responsible(device, south):
    operator("north-duty", ["view", "notify"], group="North")
    operator("south-duty", ["view", "notify"], group="South")
    operator("north-viewer", ["view"], group="North")
    assert _names(device) == ["north-duty"]


def test_a_group_member_is_responsible_and_an_inactive_one_is_not(device):
    night = Group.objects.create(name="night shift")
    ObjectPermissionFactory(name="night-notify", actions=["notify"], model=Device).groups.add(night)
    UserFactory(username="owl").groups.add(night)
    UserFactory(username="gone", is_active=False).groups.add(night)
    assert _names(device) == ["owl"]


def test_an_unconstrained_permission_covers_every_device(device):
    ObjectPermissionFactory(
        name="all-notify", actions=["notify"], model=Device, users=[UserFactory(username="boss")]
    )
    assert _names(device) == ["boss"]


def test_the_number_of_queries_does_not_grow_with_the_staff(device):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            responsible_staff(device)
        return len(queries)

    operator("duty-0", ["notify"], group="North")
    few = count()
    for n in range(1, 8):
        operator(f"duty-{n}", ["notify"], group="North" if n % 2 else "South")
    assert count() == few
    assert len(_names(device)) == 5  # duty-0, 1, 3, 5, 7
