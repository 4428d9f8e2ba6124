"""The registry picker of staff forms: htmx options the user may see; the
picked object is saved with the form; an unpicked address keeps its text."""

from __future__ import annotations

from pathlib import Path

import pytest

from lastmile.addresses.gar import import_gar
from lastmile.addresses.models import AddressObject, Level
from lastmile.parties.models import LegalEntity
from tests.factories import UserFactory
from tests.parties.helpers import legal_values

FIXTURE = Path(__file__).parent / "gar" / "77"

pytestmark = pytest.mark.django_db


def _house() -> AddressObject:
    return AddressObject.objects.get(
        level=Level.HOUSE, name="12", building="", parent__name="Ленина"
    )


def test_options_list_matching_houses_as_radio_buttons(admin_client):
    import_gar(FIXTURE)
    house = _house()
    page = admin_client.get(
        "/addresses/pick/",
        {"field": "legal_address", "legal_address__q": "ленина 12"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert f'name="legal_address" value="{house.pk}"' in page
    assert "ул Ленина, д. 12" in page
    assert "Солнечная" not in page
    assert 'value="" ' not in page or "keep the text" in page


def test_nothing_matching_says_the_text_is_kept(admin_client):
    import_gar(FIXTURE)
    page = admin_client.get(
        "/addresses/pick/", {"field": "legal_address", "legal_address__q": "Пушкина 1"}
    ).content.decode()
    assert "Nothing in the registry matches" in page
    assert 'name="legal_address" value="" checked' in page


def test_options_are_only_what_the_user_may_see(client):
    import_gar(FIXTURE)
    client.force_login(UserFactory())
    page = client.get(
        "/addresses/pick/", {"field": "legal_address", "legal_address__q": "ленина 12"}
    ).content.decode()
    assert str(_house().pk) not in page
    assert client.get("/addresses/pick/", {"field": "x y"}).status_code == 400


def test_anonymous_users_are_sent_to_log_in(client):
    assert client.get("/addresses/pick/", {"field": "a"}).status_code == 302


def test_picked_address_is_saved_and_unpicked_keeps_the_text(admin_client):
    import_gar(FIXTURE)
    house = _house()
    data = dict(legal_values())
    data.update(kind="legal", is_active="on", legal_address=str(house.pk), postal_address="")
    data["postal_address_text"] = "Тверь, Пушкина 1"
    response = admin_client.post("/parties/legal/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entity = LegalEntity.objects.get()
    assert entity.legal_address == house
    assert entity.postal_address is None
    assert entity.postal_address_text == "Тверь, Пушкина 1"
    page = admin_client.get(f"/parties/legal/{entity.pk}/edit/").content.decode()
    assert f'value="{house.pk}" checked' in page
    assert "hx-get=" in page and "<script" not in page.split("<main", 1)[-1]


def test_contract_form_takes_a_picked_access_point(admin_client):
    from lastmile.contracts.models import Contract
    from tests.factories import CustomerFactory

    import_gar(FIXTURE)
    house = _house()
    customer = CustomerFactory()
    url = f"/contracts/add/?customer={customer.pk}"
    page = admin_client.get(url).content.decode()
    assert 'name="access_address__q"' in page
    response = admin_client.post(
        url,
        {
            "number": "AP-1",
            "kind": "main",
            "starts_on": "2024-01-01",
            "state": "draft",
            "access_address": str(house.pk),
        },
    )
    assert response.status_code == 302
    assert Contract.objects.get(number="AP-1").access_address == house


def test_a_search_keeps_the_linked_object_chosen(admin_client):
    """Typing in the picker of a linked address lists the linked object first,
    chosen: saving after a search without a pick must not unlink it."""
    import_gar(FIXTURE)
    house = _house()
    other = AddressObject.objects.filter(level=Level.HOUSE).exclude(pk=house.pk).first()
    assert other is not None
    page = admin_client.get(
        "/addresses/pick/",
        {"field": "legal_address", "legal_address__q": "ленина", "current": str(house.pk)},
    ).content.decode()
    assert page.index(f'value="{house.pk}" checked') < page.index("keep the text")
    assert page.count(f'value="{house.pk}"') == 1
    assert 'value="" checked' not in page
    nothing = admin_client.get(
        "/addresses/pick/",
        {"field": "legal_address", "legal_address__q": "Пушкина", "current": str(house.pk)},
    ).content.decode()
    assert f'value="{house.pk}" checked' in nothing
    assert "Nothing else in the registry matches" in nothing
    # A current id the user may not see, or not a number, is ignored.
    ignored = admin_client.get(
        "/addresses/pick/",
        {"field": "legal_address", "legal_address__q": "ленина", "current": "x"},
    ).content.decode()
    assert " checked" not in ignored


def test_the_edit_page_asks_for_options_with_the_current_object(admin_client):
    import_gar(FIXTURE)
    house = _house()
    data = dict(legal_values())
    data.update(kind="legal", is_active="on", legal_address=str(house.pk))
    assert admin_client.post("/parties/legal/add/", data).status_code == 302
    entity = LegalEntity.objects.get()
    page = admin_client.get(f"/parties/legal/{entity.pk}/edit/").content.decode()
    assert f"field=legal_address&amp;current={house.pk}" in page
