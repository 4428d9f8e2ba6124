"""Golden files: each file type produced from fixtures, compared byte for
byte (quoting, encoding, line endings, dates) with tests/sorm/golden/."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from lastmile.finance.models import Account, Payment
from lastmile.network.models import Lease, Session
from lastmile.sorm import services
from lastmile.sorm.filetypes import FILE_TYPES, REGISTRY
from lastmile.sorm.formats import render_to_bytes
from lastmile.sorm.models import ExportFile
from lastmile.subscriptions.models import Subscription
from tests.factories import CustomerFactory, NasFactory, PoolFactory, TariffFactory
from tests.sorm.conftest import travel

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")
GOLDEN = Path(__file__).parent / "golden"
T0 = datetime(2026, 3, 5, 9, 7, 0, tzinfo=MSK)
EXPORT_AT = datetime(2026, 3, 6, 1, 30, 0, tzinfo=MSK)


ID_TABLES = (
    "customers_customer",
    "addresses_addressobject",
    "parties_legalentity",
    "contracts_contract",
    "subscriptions_tariff",
    "subscriptions_subscription",
    "network_nas",
    "network_pool",
    "network_lease",
    "finance_payment",
    "devices_device",
)


def _fixtures() -> None:
    # Ids are in the files: start every sequence at 1 whatever ran before.
    with connection.cursor() as cursor:
        for table in ID_TABLES:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), 1, false)", [table])
    with travel(T0):
        nas = NasFactory(name="bras-1", address="192.0.2.10", description="Москва, ул. Ленина, 1")
        NasFactory(name="bras-v6", address="2001:db8::1", description="Узел; второй")
        PoolFactory(name="dyn", kind="dynamic", network="10.20.0.0/24")
        static_pool = PoolFactory(name="white", kind="static", network="46.38.100.0/24")
        tariff = TariffFactory(name="Дом 100", description="Безлимит", rate_down_kbps=100000)
        ivanov = CustomerFactory(
            pppoe=True,
            login="ivanov",
            full_name='Иванов Иван "Ваня" Иванович',
            phones=["+79001234567", "+79007654321"],
            email="ivan@example.ru",
        )
        petrov = CustomerFactory(pppoe=True, login="petrov", full_name="Петров Пётр", phones=[])
        CustomerFactory(pppoe=True, login="gone", full_name="Отключённый", blocked=True)
        Subscription.objects.create(
            customer=ivanov,
            tariff=tariff,
            price=tariff.price,
            state="active",
            anchor=T0,
            period_start=T0,
            period_end=T0 + timedelta(days=30),
        )
        Lease.objects.create(
            address="46.38.100.7",
            pool=static_pool,
            customer=ivanov,
            kind="static",
            mac="AA-BB-CC-00-11-22",
            started_at=T0,
            renewed_at=T0,
        )
        Lease.objects.create(
            address="10.20.0.5",
            pool=PoolFactory(name="gray-static", kind="static", network="10.30.0.0/24"),
            customer=petrov,
            kind="static",
            started_at=T0,
            renewed_at=T0,
        )
        account = Account.objects.get_or_create(customer=ivanov)[0]
        Payment.objects.create(
            account=account,
            amount=Decimal("12.00"),
            gateway="cash",
            external_id="c-1",
            receipt_number="R-77",
            paid_at=T0 + timedelta(hours=1),
            created_at=T0 + timedelta(hours=1),
        )
        Payment.objects.create(
            account=account,
            amount=Decimal("1500.50"),
            gateway="alltime",
            external_id="a-1",
            paid_at=T0 + timedelta(hours=2),
            created_at=T0 + timedelta(hours=2),
        )
        _parties(ivanov, petrov)
        Session.objects.create(
            nas=nas,
            acct_session_id="S-1",
            customer=ivanov,
            login="ivanov",
            address="10.20.0.9",
            mac="aabb.cc00.1122",
            nas_port="15",
            started_at=T0 + timedelta(hours=3),
            updated_at=T0 + timedelta(hours=4),
            stopped_at=T0 + timedelta(hours=4),
            octets_in=1000,
            octets_out=20000,
        )
        # Still online: its last interim update is in the window (event type 2).
        Session.objects.create(
            nas=nas,
            acct_session_id="S-2",
            customer=petrov,
            login="petrov",
            address="10.20.0.10",
            mac="",
            nas_port="",
            started_at=T0 + timedelta(hours=5),
            updated_at=T0 + timedelta(hours=6),
            octets_in=500,
            octets_out=7000,
        )
        from lastmile.devices.models import Device

        Device.objects.create(
            name="sw-lenina-1",
            address="Москва, ул. Ленина, 1, подвал",
            description='Коммутатор "доступа"\nподъезд 1',
        )
        Device.objects.create(name="olt-2", address="Москва, ул. Ленина, 3")
        Device.objects.create(name="lab-switch", address="")  # no place: not a SORM switch
        # In the registry: the place is the registry's full text, not the typed one.
        from lastmile.addresses.models import AddressObject

        Device.objects.create(
            name="sw-lenina-12",
            address="Ленина 12а, щиток",
            address_object=AddressObject.objects.get(level="house"),
        )


def _parties(ivanov, petrov) -> None:  # type: ignore[no-untyped-def]
    """Registry addresses, ivanov's passport, petrov as a branch of a company."""
    import datetime as dt

    from lastmile.addresses.models import AddressObject
    from lastmile.contracts.models import Contract
    from lastmile.parties.models import Branch, IndividualDetails, LegalEntity, Passport

    region = AddressObject.objects.create(level="region", type_short="г", name="Москва")
    street = AddressObject.objects.create(
        parent=region, level="street", type_short="ул", name="Ленина"
    )
    house = AddressObject.objects.create(
        parent=street, level="house", name="12", letter="А", building="2", postcode="101000"
    )
    flat = AddressObject.objects.create(parent=house, level="apartment", name="5")
    ivanov.address_object = flat
    ivanov.save()
    person = IndividualDetails(
        customer=ivanov,
        last_name="Иванов",
        first_name="Иван",
        patronymic="Иванович",
        registration_address=flat,
    )
    person.set_passport(
        Passport(
            series="4510",
            number="123456",
            issued_by='ОВД "Тверской"',
            issued_on=dt.date(2010, 5, 1),
            unit_code="770-001",
            birth_date=dt.date(1980, 1, 2),
        )
    )
    person.save()
    legal = LegalEntity.objects.create(
        full_name="Общество с ограниченной ответственностью «Ромашка»",
        short_name="ООО «Ромашка»",
        inn="7707083893",
        ogrn="1027700132195",
        bank_name="ПАО Сбербанк",
        account="40702810900000000001",
        responsible_last_name="Петров",
        responsible_first_name="Пётр",
        responsible_patronymic="Петрович",
        legal_address=house,
        phone="+74950000000",
    )
    Contract.objects.create(
        number="Л-1",
        legal_entity=legal,
        kind="main",
        state="active",
        starts_on=dt.date(2026, 1, 15),
    )
    Branch.objects.create(customer=petrov, legal_entity=legal, name="Склад")
    Contract.objects.create(
        number="Д-1", customer=ivanov, kind="main", state="active", starts_on=dt.date(2026, 3, 5)
    )
    petrov.address_object = house
    petrov.save()


def _export() -> dict[str, bytes]:
    _fixtures()
    with travel(EXPORT_AT):
        run = services.run_export(full=True)
    out = {}
    for export_file in ExportFile.objects.filter(run=run):
        out[export_file.file_type] = services.stored_file(export_file).read_bytes()
    return out


@pytest.mark.usefixtures("journal_clock")
def test_every_file_type_matches_its_golden_file(settings):  # type: ignore[no-untyped-def]
    settings.LASTMILE.sorm_special_numbers = [
        "8 (800) 100-00-00;Служба поддержки;01.01.2020T00:00:00"
    ]
    try:
        produced = _export()
    finally:
        settings.LASTMILE.sorm_special_numbers = []
    assert set(produced) == set(REGISTRY)
    if os.environ.get("SORM_WRITE_GOLDEN"):  # regenerate, then review every line by eye
        GOLDEN.mkdir(exist_ok=True)
        for code, data in produced.items():
            (GOLDEN / f"{code}.txt").write_bytes(data)
    for code, data in produced.items():
        golden = GOLDEN / f"{code}.txt"
        assert data == golden.read_bytes(), f"{code} differs from {golden}"


@pytest.mark.usefixtures("journal_clock")
def test_python_sources_write_the_same_bytes_as_the_sql_path():
    """A full run writes the big files from SQL (sql_sources); incremental
    runs use the Python sources: both must give the golden bytes."""
    from lastmile.sorm import sources, sql_sources

    _fixtures()
    codes = sql_sources.set_based_codes()
    assert {"regions", "contracts", "fiz", "jur", "ap"} <= set(codes)
    with travel(EXPORT_AT):
        window = sources.Window(until=timezone.now())
        for code in codes:
            data = render_to_bytes(REGISTRY[code], sources.rows_for(code, window))
            assert data == (GOLDEN / f"{code}.txt").read_bytes(), code


@pytest.mark.usefixtures("journal_clock")
def test_file_names_follow_the_vendor_pattern_and_never_collide():
    _fixtures()
    with travel(EXPORT_AT):
        first = services.run_export(full=True)
        second = services.run_export(full=True)
    names = {f.file_type: f.remote_path for f in first.files.all()}
    assert names["abonents"] == "ISP/abonents/abonents_v1_06032026013000.txt"
    assert names["ip_numbering"] == "ISP/dict/ip_numbering_06032026013000.txt"
    assert names["aaa"] == "ISP/aaa/aaa_v1_06032026013000.txt"
    assert names["gateways"] == "ISP/dict/gateways_v1_06032026013000.txt"
    assert names["lease_binds"] == "customer_ip_binds.txt"
    again = {f.file_type: f.remote_path for f in second.files.all()}
    assert again["abonents"] == "ISP/abonents/abonents_v1_06032026013001.txt"


def test_every_field_is_quoted_and_quotes_are_doubled():
    line = render_to_bytes(
        REGISTRY["contacts"],
        [
            {
                "customer_id": "7",
                "contact": 'ООО "Ромашка"; офис',
                "actual_start_time": datetime(2021, 3, 5, 14, 7, tzinfo=MSK),
            }
        ],
    )
    assert line == '"7";"ООО ""Ромашка""; офис";"";"05.03.2021T14:07:00";""\n'.encode()


def test_a_row_the_schema_refuses_is_left_out_and_counted():
    chunks: list[bytes] = []
    from lastmile.sorm.formats import render_rows

    result = render_rows(
        REGISTRY["payments"],
        [
            {
                "customer_id": "1",
                "pay_time": T0,
                "amount": Decimal("100000"),
                "pay_description": "x",
            },
            {"customer_id": "", "pay_time": T0, "amount": Decimal("1"), "pay_description": "x"},
            {"customer_id": "2", "pay_time": T0, "amount": Decimal("1"), "pay_description": "x"},
        ],
        chunks.append,
    )
    assert (result.rows, result.rejected) == (1, 2)
    assert "100000" in result.errors[0]
    assert "required" in result.errors[1]
    assert b"".join(chunks) == b'"2";"";"05.03.2026T09:07:00";"1.000000";"x";""\n'


def test_every_schema_has_unique_column_names():
    for file_type in FILE_TYPES:
        assert len(set(file_type.column_names)) == len(file_type.column_names), file_type.code
    assert len(REGISTRY["jur"].columns) == 42
    assert len(REGISTRY["fiz"].columns) == 25
    assert len(REGISTRY["ap"].columns) == 16
    assert len(REGISTRY["aaa"].columns) == 16


@pytest.mark.usefixtures("journal_clock")
def test_an_address_object_without_a_socrbase_code_is_refused_and_listed():
    from lastmile.addresses.models import AddressObject
    from lastmile.sorm import sources, validation
    from lastmile.sorm.formats import render_rows
    from lastmile.sorm.models import DataGap, GapKind

    region = AddressObject.objects.create(level="region", type_short="г", name="Москва")
    odd = AddressObject.objects.create(
        parent=region, level="street", type_short="жилмассив", name="Северный"
    )
    chunks: list[bytes] = []
    window = sources.Window(until=timezone.now())
    result = render_rows(REGISTRY["regions"], sources.rows_for("regions", window), chunks.append)

    assert (result.rows, result.rejected) == (1, 1)
    assert f"address_id={odd.pk}" in result.errors[0]
    validation.refresh_gaps()
    gap = DataGap.objects.get(kind=GapKind.NO_TYPE_CODE)
    assert (gap.object_type, gap.object_id, gap.file_type) == ("address", str(odd.pk), "regions")
    assert "жилмассив" in gap.message
