"""Staff create and change registry objects: the SOCRBASE type is chosen from
the codes of the object's level; a new object without one is refused, an old
one is flagged; permissions; history."""

from __future__ import annotations

import pytest

from lastmile.addresses import services
from lastmile.addresses.errors import InvalidAddress
from lastmile.addresses.models import AddressObject
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def _region() -> AddressObject:
    return AddressObject.objects.create(level="region", type_short="г", name="Москва")


def _post(**values: object) -> dict[str, object]:
    data: dict[str, object] = {
        "parent": "",
        "level": "street",
        "type_code": "",
        "type_short": "",
        "name": "",
        "is_active": "on",
    }
    data.update(values)
    return data


def test_a_street_is_created_with_a_socrbase_type_of_its_level(admin_client, admin_user):
    region = _region()
    response = admin_client.post(
        "/addresses/add/",
        _post(parent=region.pk, level="street", type_code="729", name="Ленина", postcode="101000"),
    )
    assert response.status_code == 302
    street = AddressObject.objects.get(name="Ленина")
    assert (street.parent, street.type_code, street.type_short, street.type_name) == (
        region,
        729,
        "ул",
        "Улица",
    )
    assert response["Location"] == f"/addresses/?parent={street.pk}"
    # Journaled with who did it.
    from lastmile.core.history import history_for

    entries = history_for(street)
    assert entries and entries[0].username == admin_user.username


def test_a_new_object_without_a_type_code_is_refused(admin_client):
    region = _region()
    response = admin_client.post(
        "/addresses/add/", _post(parent=region.pk, level="street", name="Северный")
    )
    assert response.status_code == 200
    assert "SORM refuses an address object without one" in response.content.decode()
    assert not AddressObject.objects.filter(name="Северный").exists()


def test_a_code_of_another_level_is_refused_on_its_field(admin_client):
    region = _region()
    response = admin_client.post(
        "/addresses/add/",
        _post(parent=region.pk, level="street", type_code="103", name="Ленина"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "type_code" in form.errors
    assert not AddressObject.objects.filter(name="Ленина").exists()


def test_the_tree_order_is_kept():
    region = _region()
    street = services.create_address_object(
        parent=region, level="street", type_code=729, name="Ленина"
    )
    with pytest.raises(InvalidAddress) as caught:
        services.create_address_object(parent=street, level="locality", type_code=401, name="X")
    assert caught.value.field == "parent"
    with pytest.raises(InvalidAddress):
        services.create_address_object(parent=None, level="street", type_code=729, name="Y")
    with pytest.raises(InvalidAddress) as caught:
        services.update_address_object(address_object=region, changes={"parent": street})
    assert caught.value.field == "parent"


def test_houses_need_no_code_and_keep_their_parts():
    region = _region()
    street = services.create_address_object(
        parent=region, level="street", type_code=729, name="Ленина"
    )
    house = services.create_address_object(
        parent=street,
        level="house",
        type_short="д",
        name="12",
        letter="А",
        postcode="101000",
        latitude="55.751244",
        longitude="37.618423",
    )
    assert house.type_code is None and house.full_name() == "г Москва, ул Ленина, д 12 лит. А"
    with pytest.raises(InvalidAddress) as caught:
        services.update_address_object(address_object=house, changes={"postcode": "12"})
    assert caught.value.field == "postcode"
    with pytest.raises(InvalidAddress) as caught:
        services.update_address_object(address_object=house, changes={"latitude": 91})
    assert caught.value.field == "latitude"


def test_an_object_without_a_code_is_flagged_and_can_be_given_one(admin_client):
    region = _region()
    odd = AddressObject.objects.create(
        parent=region, level="street", type_short="жилмассив", name="Северный"
    )
    assert odd.type_code is None
    listing = admin_client.get(f"/addresses/?parent={region.pk}").content.decode()
    assert "no code" in listing
    page = admin_client.get(f"/addresses/{odd.pk}/edit/").content.decode()
    assert "No SOCRBASE type code." in page and "жилмассив" in page
    # Other fields can still be changed while the type is looked for…
    response = admin_client.post(
        f"/addresses/{odd.pk}/edit/",
        _post(parent=region.pk, level="street", name="Северный", postcode="127000"),
    )
    assert response.status_code == 302
    odd.refresh_from_db()
    assert (odd.postcode, odd.type_code, odd.type_short) == ("127000", None, "жилмассив")
    # …and a type chosen ends the gap.
    admin_client.post(
        f"/addresses/{odd.pk}/edit/",
        _post(parent=region.pk, level="street", type_code="701", name="Северный"),
    )
    odd.refresh_from_db()
    assert odd.type_code == 701
    # Once it has a code, it cannot lose it.
    with pytest.raises(InvalidAddress):
        services.update_address_object(address_object=odd, changes={"type_code": None})


def test_pages_need_the_permissions(client):
    region = _region()
    clerk = UserFactory()
    client.force_login(clerk)
    assert client.get("/addresses/add/").status_code == 403
    assert client.get(f"/addresses/{region.pk}/edit/").status_code == 404
    grant(clerk, AddressObject, ["view", "add", "change"])
    assert client.get("/addresses/add/").status_code == 200
    response = client.post(
        "/addresses/add/",
        _post(parent=region.pk, level="district", type_code="301", name="Тверской"),
    )
    assert response.status_code == 302
    assert AddressObject.objects.filter(name="Тверской", type_code=301).exists()


def test_the_parent_picker_searches_every_level_but_apartments(admin_client):
    _region()
    page = admin_client.get("/addresses/pick/?field=parent&scope=parent&parent__q=Моск")
    assert "Москва" in page.content.decode()
    page = admin_client.get("/addresses/pick/?field=parent&parent__q=Моск")
    assert "Москва" not in page.content.decode()  # the customers' picker: streets and below
    assert admin_client.get("/addresses/pick/?field=parent&scope=x").status_code == 400


def test_the_gar_import_writes_no_journal_rows():
    from pathlib import Path

    from lastmile.addresses.gar import import_gar
    from lastmile.addresses.models import AddressObjectEvent  # type: ignore[attr-defined]

    import_gar(Path(__file__).parent / "gar" / "77")
    assert AddressObject.objects.exists()
    assert not AddressObjectEvent.objects.exists()
