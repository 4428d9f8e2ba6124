"""The issue's day with the parties models: a subscriber's passport and
address change at 14:00; the night's individuals and access-point files
carry the data valid before and after, and 13:00 can be rebuilt."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

parties = pytest.importorskip("lastmile.parties.models")

from lastmile.addresses.models import AddressObject  # noqa: E402
from lastmile.sorm import services  # noqa: E402
from lastmile.sorm.models import ExportRun  # noqa: E402
from tests.factories import CustomerFactory  # noqa: E402
from tests.sorm.conftest import travel  # noqa: E402

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("journal_clock")]

MSK = ZoneInfo("Europe/Moscow")
DAY = dt.datetime(2026, 3, 10, tzinfo=MSK)


def at(hour: int) -> dt.datetime:
    return DAY + dt.timedelta(hours=hour)


def lines(run: ExportRun, code: str) -> list[str]:
    export_file = run.files.get(file_type=code)
    return services.stored_file(export_file).read_bytes().decode().splitlines()


def _tree() -> tuple[AddressObject, AddressObject, AddressObject]:
    region = AddressObject.objects.create(level="region", type_short="г", name="Москва")
    street = AddressObject.objects.create(
        parent=region, level="street", type_short="ул", name="Ленина"
    )
    house = AddressObject.objects.create(
        parent=street, level="house", name="12", letter="А", building="2", postcode="101000"
    )
    flat = AddressObject.objects.create(parent=house, level="apartment", name="5")
    other = AddressObject.objects.create(parent=street, level="house", name="14")
    return street, flat, other


def test_passport_and_address_changed_at_14_reach_the_night_export():
    with travel(at(9)):
        street, flat, other = _tree()
        customer = CustomerFactory(pppoe=True, login="ivanov", full_name="Иванов Иван Иванович")
        customer.address_object = flat
        customer.save()
        person = parties.IndividualDetails(
            customer=customer,
            last_name="Иванов",
            first_name="Иван",
            patronymic="Иванович",
            registration_address=flat,
        )
        person.set_passport(
            parties.Passport(
                series="4510",
                number="123456",
                issued_by="ОВД Тверской",
                issued_on=dt.date(2010, 5, 1),
                unit_code="770-001",
                birth_date=dt.date(1980, 1, 2),
            )
        )
        person.save()
    with travel(at(13)):
        at_13 = services.run_export(full=True)
    with travel(at(14)):
        person.set_passport(
            parties.Passport(
                series="4520",
                number="654321",
                issued_by="МВД 77",
                issued_on=dt.date(2025, 5, 1),
                unit_code="770-002",
                birth_date=dt.date(1980, 1, 2),
            )
        )
        person.registration_address = other
        person.save()
        customer.address_object = other
        customer.save()
    with travel(at(23)):
        night = services.run_export()

    fiz = lines(night, "fiz")
    assert len(fiz) == 2
    assert '"4510";"123456";"ОВД Тверской";"770-001";"01.05.2010"' in fiz[0]
    assert fiz[0].endswith(f'"10.03.2026T09:00:00";"10.03.2026T14:00:00";"{customer.pk}"')
    assert f'"{street.pk}"' in fiz[0] and '"12А";"";"2"' in fiz[0]
    assert '"4520";"654321"' in fiz[1]
    assert fiz[1].endswith(f'"10.03.2026T14:00:00";"";"{customer.pk}"')
    assert fiz[0].startswith(
        f'"{customer.pk}";"Иван";"Иванович";"Иванов";"02.01.1980";"Паспорт РФ"'
    )

    ap = lines(night, "ap")
    assert [line.split(";")[0] for line in ap] == [f'"{flat.pk}"', f'"{other.pk}"']
    assert ap[0].endswith('"10.03.2026T09:00:00";"10.03.2026T14:00:00"')
    assert ap[1].endswith('"10.03.2026T14:00:00";""')

    regions = lines(night, "regions")
    assert regions[0].startswith(f'"{street.parent_id}";"";"103";"г";"Москва"')
    assert (
        regions[1]
        == f'"{street.pk}";"{street.parent_id}";"729";"ул";"Ленина";"";"";"";"г Москва, ул Ленина"'
    )

    with travel(at(23)):
        rebuilt = services.run_export(as_of=at(13))
    for code in ("fiz", "ap", "regions", "abonents", "contracts"):
        assert lines(rebuilt, code) == lines(at_13, code), code


def test_a_branch_is_exported_under_its_organisation():
    from lastmile.contracts.models import Contract

    with travel(at(9)):
        street, flat, _other = _tree()
        house = flat.parent
        legal = parties.LegalEntity.objects.create(
            kind="legal",
            full_name="Общество с ограниченной ответственностью «Ромашка»",
            short_name="ООО «Ромашка»",
            inn="7707083893",
            ogrn="1027700132195",
            responsible_last_name="Петров",
            responsible_first_name="Пётр",
            legal_address=house,
            phone="+74950000000",
        )
        Contract.objects.create(
            number="L-1",
            legal_entity=legal,
            kind="main",
            state="active",
            starts_on=dt.date(2026, 1, 15),
        )
        customer = CustomerFactory(pppoe=True, login="romashka1", full_name="Склад")
        parties.Branch.objects.create(customer=customer, legal_entity=legal, name="Склад")
    with travel(at(10)):
        run = services.run_export(full=True)
    jur = lines(run, "jur")
    assert len(jur) == 1
    assert jur[0].startswith(
        f'"L{legal.pk}";"ООО Ромашка";"7707083893";"101000";"";"";"{street.pk}";"";"";"";"12А";"";"2";'
    )
    assert jur[0].endswith(f'"15.01.2026T00:00:00";"";"{customer.pk}"')
    assert len(jur[0].split('";"')) == 42
    fiz = [line for line in lines(run, "fiz") if line.startswith(f'"L{legal.pk}"')]
    assert fiz and fiz[0].startswith(f'"L{legal.pk}";"Пётр";"";"Петров";')
    abonents = [line for line in lines(run, "abonents") if line.startswith(f'"{customer.pk}";')]
    assert abonents == [f'"{customer.pk}";"L{legal.pk}";"15.01.2026";"romashka1";"";"4"']
