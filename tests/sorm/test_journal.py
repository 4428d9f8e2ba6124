"""History never lost: the day of changes from issue 18, replayed with the
clock moved, and the as-of rebuild compared with the export of that hour."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models.deletion import ProtectedError

from lastmile.customers.models import Customer
from lastmile.finance.models import Account
from lastmile.network import services as network_services
from lastmile.network.models import Lease, Pool
from lastmile.sorm import services
from lastmile.sorm.models import ExportRun, RunKind
from lastmile.subscriptions import services as subscription_services
from lastmile.subscriptions.models import Subscription
from tests.factories import CustomerFactory, PoolFactory, TariffFactory
from tests.sorm.conftest import travel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("journal_clock")]

MSK = ZoneInfo("Europe/Moscow")
DAY = datetime(2026, 3, 10, tzinfo=MSK)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


def contents(run: ExportRun) -> dict[str, bytes]:
    return {f.file_type: services.stored_file(f).read_bytes() for f in run.files.all()}


def lines(run: ExportRun, code: str) -> list[str]:
    return contents(run)[code].decode().splitlines()


@pytest.fixture
def day():  # type: ignore[no-untyped-def]
    """09:00: a subscriber with a phone, a tariff and a static address."""
    with travel(at(9)):
        customer = CustomerFactory(
            pppoe=True, login="ivanov", full_name="Иванов Иван", phones=["+79000000001"]
        )
        Account.objects.get_or_create(customer=customer)
        tariff = TariffFactory(name="Дом")
        subscription = Subscription.objects.create(
            customer=customer,
            tariff=tariff,
            price=tariff.price,
            state="active",
            anchor=at(9),
            period_start=at(9),
            period_end=at(9) + timedelta(days=30),
        )
        pool = PoolFactory(name="white", kind="static", network="46.38.100.0/24")
        lease = Lease.objects.create(
            address="46.38.100.7",
            pool=pool,
            customer=customer,
            kind="static",
            started_at=at(9),
            renewed_at=at(9),
        )
    with travel(at(9, 30)):
        services.run_export(full=True)
    return customer, subscription, lease


def test_the_nights_export_has_the_rows_valid_in_each_interval(day):  # type: ignore[no-untyped-def]
    customer, subscription, lease = day
    with travel(at(13)):
        at_13 = services.run_export(full=True)
    with travel(at(14)):
        customer.full_name = "Иванов Иван Петрович"
        customer.phones = ["+79000000002"]
        customer.save()
    with travel(at(15)):
        subscription_services.terminate_subscription(subscription=subscription)
    with travel(at(16)):
        network_services.end_lease(lease=lease, reason="deleted", disconnect=False)
    with travel(at(23, 59)):
        night = services.run_export()
    assert night.kind == RunKind.INCREMENTAL
    assert night.since == at(13)

    assert lines(night, "contacts") == [
        f'"{customer.pk}";"Иванов Иван +79000000001";"";"10.03.2026T09:00:00";"10.03.2026T14:00:00"',
        f'"{customer.pk}";"Иванов Иван Петрович +79000000002";"";"10.03.2026T14:00:00";""',
    ]
    tariff_id = subscription.tariff_id
    assert lines(night, "services") == [
        f'"{tariff_id}";"{customer.pk}";"";"";"";"Дом, 100 Мбит/с";'
        '"10.03.2026T09:00:00";"10.03.2026T15:00:00"'
    ]
    assert lines(night, "ip_nets") == [
        f'"";"{customer.pk}";"46.38.100.7";"1";"10.03.2026T09:00:00";"10.03.2026T16:00:00";""'
    ]
    # The lease row stays (never deleted); the binds file no longer lists it.
    assert Lease.objects.filter(pk=lease.pk).exists()
    assert lines(night, "lease_binds") == []

    # Any past moment can be rebuilt: 13:00 equals what was sent at 13:00.
    with travel(at(23, 59)):
        rebuilt = services.run_export(as_of=at(13))
    assert rebuilt.kind == RunKind.AS_OF
    assert not rebuilt.upload
    assert contents(rebuilt) == contents(at_13)
    assert b"+79000000001" in contents(rebuilt)["contacts"]
    assert b"46.38.100.7" in contents(rebuilt)["ip_nets"]

    # …and 16:30 shows the day's end state.
    with travel(at(23, 59)):
        late = services.run_export(as_of=at(16, 30))
    assert lines(late, "ip_nets") == []
    assert lines(late, "services") == []
    assert "+79000000002" in lines(late, "contacts")[0]


def test_a_deleted_pool_gets_an_end_row(day):  # type: ignore[no-untyped-def]
    with travel(at(10)):
        pool = PoolFactory(name="temp", kind="dynamic", network="10.99.0.0/24")
    with travel(at(12)):
        Pool.objects.filter(pk=pool.pk).delete()
    with travel(at(23)):
        night = services.run_export()
    assert '"10.99.0.0/24";"Динамические;ШПД";"10.03.2026T10:00:00";"10.03.2026T12:00:00"' in (
        lines(night, "ip_numbering")
    )


def test_a_customer_is_not_deleted_while_the_export_is_on(day, sorm_storage):  # type: ignore[no-untyped-def]
    sorm_storage.sorm_enabled = True
    with travel(at(11)):
        lonely = CustomerFactory(pppoe=True, login="lonely", full_name="Одинокий", phones=["+7901"])
        with (
            pytest.raises(ProtectedError, match="disable the customer instead"),
            transaction.atomic(),
        ):
            lonely.delete()
    assert Customer.objects.filter(pk=lonely.pk).exists()


def test_a_customer_deleted_with_the_export_off_still_ends_in_the_journal(day):  # type: ignore[no-untyped-def]
    with travel(at(11)):
        lonely = CustomerFactory(pppoe=True, login="lonely", full_name="Одинокий", phones=["+7901"])
    with travel(at(12)):
        services.run_export()
    with travel(at(13)):
        Customer.objects.filter(pk=lonely.pk).delete()
    with travel(at(23)):
        night = services.run_export()
    assert lines(night, "contacts") == [
        f'"{lonely.pk}";"Одинокий +7901";"";"10.03.2026T11:00:00";"10.03.2026T13:00:00"'
    ]


def test_an_unchanged_day_sends_no_subscriber_rows(day):  # type: ignore[no-untyped-def]
    with travel(at(23)):
        night = services.run_export()
    assert night.kind == RunKind.INCREMENTAL
    assert lines(night, "contacts") == []
    assert lines(night, "abonents") == []
    assert len(lines(night, "service_list")) == 1  # dictionaries go whole


def test_rows_written_without_the_journal_get_a_first_entry():  # type: ignore[no-untyped-def]
    from lastmile.customers.models import CustomerEvent  # type: ignore[attr-defined]

    with travel(at(9)):
        bulk = CustomerFactory(pppoe=True, login="bulk", full_name="Загружен", phones=["+7902"])
    CustomerEvent.objects.filter(pgh_obj_id=bulk.pk).delete()  # as a bulk load would leave it
    with travel(at(10)):
        run = services.run_export(full=True)
    assert lines(run, "contacts") == [f'"{bulk.pk}";"Загружен +7902";"";"10.03.2026T09:00:00";""']
    assert CustomerEvent.objects.filter(pgh_obj_id=bulk.pk, pgh_label="insert").count() == 1


def test_a_subset_run_does_not_move_the_watermark(day):  # type: ignore[no-untyped-def]
    customer, _subscription, _lease = day
    with travel(at(14)):
        customer.phones = ["+79000000009"]
        customer.save()
    with travel(at(15)):
        services.run_export(only=["abonents"])
    with travel(at(23)):
        night = services.run_export()
    assert night.since == at(9, 30)
    assert any("+79000000009" in line for line in lines(night, "contacts"))
