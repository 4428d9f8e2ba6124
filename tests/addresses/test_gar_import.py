"""GAR import: the fixture extract lands as a linked tree; memory stays bounded."""

from __future__ import annotations

import tracemalloc
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command

from lastmile.addresses.gar import import_gar, iter_elements
from lastmile.addresses.models import AddressObject, GarImport, Level

FIXTURE = Path(__file__).parent / "gar" / "77"

pytestmark = pytest.mark.django_db


def test_fixture_extract_becomes_a_linked_tree_with_postcodes():
    run = import_gar(FIXTURE)

    assert run.state == GarImport.State.DONE
    assert run.region_code == "77"
    flat = AddressObject.objects.get(gar_object_id=500)
    assert [n.level for n in flat.ancestors()] == [
        Level.REGION,
        Level.LOCALITY,
        Level.STREET,
        Level.HOUSE,
        Level.APARTMENT,
    ]
    assert flat.full_name() == "г Москва, г Зеленоград, ул Ленина, д. 12, кв. 5"
    assert flat.fias_guid == uuid.UUID("33333333-2222-4333-8444-555555555501")
    house = AddressObject.objects.get(gar_object_id=400)
    assert house.postcode == "124460"  # TYPEID 5 only, and only the current value
    assert AddressObject.objects.get(gar_object_id=401).postcode == ""
    assert AddressObject.objects.get(gar_object_id=401).building == "1"
    office_house = AddressObject.objects.get(gar_object_id=402)
    assert (office_house.name, office_house.structure, office_house.type_short) == (
        "5А",
        "2",
        "зд.",
    )
    assert office_house.parent is not None
    assert office_house.parent.name == "Солнечная"  # the inactive hierarchy row is ignored


def test_only_current_versions_and_known_levels_are_kept():
    import_gar(FIXTURE)

    assert AddressObject.objects.filter(gar_object_id=300).count() == 1
    assert not AddressObject.objects.filter(gar_object_id=403).exists()  # retired house
    assert not AddressObject.objects.filter(gar_object_id=900).exists()  # a land plot


def test_reimport_updates_in_place():
    import_gar(FIXTURE)
    before = AddressObject.objects.count()
    AddressObject.objects.filter(gar_object_id=300).update(name="Старое")

    import_gar(FIXTURE)

    assert AddressObject.objects.count() == before
    assert AddressObject.objects.get(gar_object_id=300).name == "Ленина"


def test_command_prints_progress(capsys):
    call_command("import_gar", str(FIXTURE))

    out = capsys.readouterr().out
    assert "reading AS_ADDR_OBJ_" in out
    assert "done:" in out


def test_a_folder_without_gar_files_is_a_failed_run(tmp_path):
    with pytest.raises(ValueError, match="no GAR files"):
        import_gar(tmp_path)
    assert GarImport.objects.get().state == GarImport.State.FAILED


def _write_big_extract(folder: Path, streets: int) -> None:
    folder.mkdir()
    with open(folder / "AS_ADDR_OBJ_20240105_big.XML", "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<ADDRESSOBJECTS>\n')
        out.write(
            '<OBJECT OBJECTID="1" NAME="Регион" TYPENAME="обл" LEVEL="1" ISACTUAL="1" ISACTIVE="1"/>\n'
        )
        for n in range(streets):
            out.write(
                f'<OBJECT ID="{n}" OBJECTID="{10 + n}" OBJECTGUID="{uuid.UUID(int=n + 1)}" '
                f'NAME="Улица номер {n} с длинным названием для объёма" TYPENAME="ул" LEVEL="8" '
                'UPDATEDATE="2023-01-01" STARTDATE="1900-01-01" ENDDATE="2079-06-06" '
                'ISACTUAL="1" ISACTIVE="1"/>\n'
            )
        out.write("</ADDRESSOBJECTS>\n")
    with open(folder / "AS_ADM_HIERARCHY_20240105_big.XML", "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<ITEMS>\n')
        for n in range(streets):
            out.write(f'<ITEM ID="{n}" OBJECTID="{10 + n}" PARENTOBJID="1" ISACTIVE="1"/>\n')
        out.write("</ITEMS>\n")


def test_parsing_a_large_file_keeps_memory_bounded(tmp_path):
    """Reading 100,000 elements holds about one element at a time."""
    folder = tmp_path / "big"
    _write_big_extract(folder, 100_000)
    path = folder / "AS_ADDR_OBJ_20240105_big.XML"
    assert path.stat().st_size > 20_000_000

    tracemalloc.start()
    count = sum(1 for _ in iter_elements(path, "OBJECT"))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert count == 100_001
    assert peak < 5_000_000, f"peak {peak} bytes: elements are kept"


def test_importing_a_larger_extract_keeps_memory_bounded(tmp_path):
    """The whole import (parse + batches + SQL parent links) of 20,000 streets."""
    folder = tmp_path / "big"
    _write_big_extract(folder, 20_000)

    tracemalloc.start()
    run = import_gar(folder)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert run.objects_saved == 20_001
    assert AddressObject.objects.filter(parent__gar_object_id=1).count() == 20_000
    assert peak < 30_000_000, f"peak {peak} bytes"
