"""SOCRBASE type codes: the table, the look-up from a registry object's
level and type short name, and where the code is set (save, GAR import)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lastmile.addresses import socrbase
from lastmile.addresses.gar import import_gar
from lastmile.addresses.models import AddressObject

FIXTURE = Path(__file__).parent / "gar" / "77"


def test_codes_are_unique_and_start_with_their_level():
    codes = [t.code for t in socrbase.TYPES]
    assert len(codes) == len(set(codes))
    for found in socrbase.TYPES:
        assert str(found.code).startswith(str(found.level)), found
    keys = [(t.level, t.short.casefold()) for t in socrbase.TYPES]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("level", "short", "code"),
    [
        ("region", "г", 103),
        ("region", "обл", 105),
        ("region", "Респ", 106),
        ("district", "р-н", 301),
        ("locality", "г", 401),  # level 4 (city) is tried before level 6
        ("locality", "д", 606),
        ("locality", "с", 630),
        ("street", "ул", 729),
        ("street", "ул.", 729),
        ("street", "улица", 729),
        ("street", "пр-кт", 719),
        ("street", "пер", 714),
    ],
)
def test_lookup_by_level_and_short_name(level, short, code):
    found = socrbase.lookup(level, short)
    assert found is not None
    assert found.code == code


@pytest.mark.parametrize(
    ("level", "short"),
    [("street", "г"), ("region", "ул"), ("house", "д."), ("street", ""), ("street", "з/у")],
)
def test_a_type_not_in_the_table_of_that_level_has_no_code(level, short):
    assert socrbase.lookup(level, short) is None


def test_choices_of_a_level_name_the_code():
    streets = dict(socrbase.choices("street"))
    assert streets[729] == "ул — Улица (729)"
    assert 103 not in streets


@pytest.mark.django_db
def test_saving_an_object_fills_its_code_unless_one_was_chosen():
    city = AddressObject.objects.create(level="region", type_short="г", name="Москва")
    assert city.type_code == 103
    chosen = AddressObject.objects.create(
        parent=city, level="street", type_short="ул", name="Ленина", type_code=731
    )
    assert chosen.type_code == 731
    odd = AddressObject.objects.create(parent=city, level="street", type_short="?", name="X")
    assert odd.type_code is None


@pytest.mark.django_db
def test_gar_import_sets_the_code_from_the_type_name():
    import_gar(FIXTURE)

    codes = dict(
        AddressObject.objects.filter(gar_object_id__isnull=False).values_list(
            "gar_object_id", "type_code"
        )
    )
    region = AddressObject.objects.get(level="region")
    assert codes[region.gar_object_id] == 103
    streets = AddressObject.objects.filter(level="street", type_short="ул")
    assert streets.exists()
    assert all(s.type_code == 729 for s in streets)
    assert AddressObject.objects.get(level="locality", type_short="г").type_code == 401
