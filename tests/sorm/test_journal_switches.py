"""The switches file reads the devices' journal: a deleted device gets its
end row, an as-of rebuild shows each device as it was at that moment, and a
device created later is not in it (sorm-format.md §3.12)."""

from __future__ import annotations

import pytest

from lastmile.devices.models import Device
from lastmile.sorm import services
from tests.sorm.conftest import travel
from tests.sorm.test_journal import at, lines

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("journal_clock")]


def _row(pk: int, text: str, place: str, start: str, end: str = "") -> str:
    return f'"switch_{pk}";"internal";"Ethernet";"{text}";"{place}";"";"{start}";"{end}"'


@pytest.fixture
def devices():  # type: ignore[no-untyped-def]
    """09:00 two switches; 09:30 the first full run."""
    with travel(at(9)):
        kept = Device.objects.create(name="sw-kept", address="Ленина 1", ip="10.0.0.1")
        gone = Device.objects.create(
            name="sw-gone", address="Ленина 2", description="подъезд 2", ip="10.0.0.2"
        )
    with travel(at(9, 30)):
        services.run_export(full=True)
    return kept, gone


def test_changes_and_a_deletion_reach_the_next_run_and_any_rebuild(devices):  # type: ignore[no-untyped-def]
    kept, gone = devices
    gone_pk = gone.pk  # delete() clears it
    with travel(at(10)):
        at_10 = services.run_export(full=True)
    with travel(at(11)):
        kept.address = "Ленина 1, подвал"
        kept.ip = "10.0.0.11"
        kept.status = "up"
        kept.save()
    with travel(at(12)):
        late = Device.objects.create(name="sw-late", address="Мира 5")
    with travel(at(13)):
        gone.delete()
    with travel(at(23, 59)):
        night = services.run_export()

    start = "10.03.2026T09:00:00"
    assert sorted(lines(night, "switches")) == sorted(
        [
            _row(kept.pk, "sw-kept", "Ленина 1, подвал", start),
            _row(late.pk, "sw-late", "Мира 5", "10.03.2026T12:00:00"),
            # The deleted device: its last data, ended at the deletion.
            _row(gone_pk, "подъезд 2", "Ленина 2", start, "10.03.2026T13:00:00"),
        ]
    )
    # 10:00 rebuilt: the data of then (today's address is not there), no
    # device created later, and it equals what was sent at 10:00.
    with travel(at(23, 59)):
        rebuilt_10 = services.run_export(as_of=at(10))
    assert sorted(lines(rebuilt_10, "switches")) == sorted(
        [
            _row(kept.pk, "sw-kept", "Ленина 1", start),
            _row(gone_pk, "подъезд 2", "Ленина 2", start),
        ]
    )
    assert lines(rebuilt_10, "switches") == lines(at_10, "switches")

    # 12:30: the change and the new device; 13:30: the deleted one is no
    # longer there (an as-of state has no end rows yet, see docs/sorm.md).
    with travel(at(23, 59)):
        rebuilt_1230 = services.run_export(as_of=at(12, 30))
        rebuilt_1330 = services.run_export(as_of=at(13, 30))
    assert _row(kept.pk, "sw-kept", "Ленина 1, подвал", start) in lines(rebuilt_1230, "switches")
    assert len(lines(rebuilt_1230, "switches")) == 3
    assert sorted(lines(rebuilt_1330, "switches")) == sorted(
        [
            _row(kept.pk, "sw-kept", "Ленина 1, подвал", start),
            _row(late.pk, "sw-late", "Мира 5", "10.03.2026T12:00:00"),
        ]
    )
