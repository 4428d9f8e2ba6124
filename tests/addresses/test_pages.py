"""The address registry page: browse by parent, search, import status."""

from __future__ import annotations

from pathlib import Path

import pytest

from lastmile.addresses.gar import import_gar
from lastmile.addresses.models import AddressObject
from tests.factories import UserFactory

FIXTURE = Path(__file__).parent / "gar" / "77"

pytestmark = pytest.mark.django_db


def test_registry_opens_at_regions_and_browses_down(admin_client):
    import_gar(FIXTURE)
    response = admin_client.get("/addresses/")
    assert response.status_code == 302 and response["Location"] == "?level=region"
    page = admin_client.get("/addresses/?level=region").content.decode()
    assert "Москва" in page and "Ленина" not in page
    assert "77" in page  # the import status card
    town = AddressObject.objects.get(gar_object_id=200)
    page = admin_client.get(f"/addresses/?parent={town.pk}").content.decode()
    assert "ул Ленина" in page and "аллея Солнечная" in page
    assert "г Зеленоград" in page  # the breadcrumb


def test_registry_search(admin_client):
    import_gar(FIXTURE)
    page = admin_client.get("/addresses/?q=ул.+ленина").content.decode()
    assert "ул Ленина" in page and "Солнечная" not in page


def test_registry_needs_the_permission(client):
    client.force_login(UserFactory())
    assert client.get("/addresses/?level=region").status_code == 403
