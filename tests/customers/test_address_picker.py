"""The customer form's registry picker: staff pick the service address from
the registry (the same widget as the legal entity, passport and contract
forms); left unpicked, the typed address stays and is matched later, and
what does not match stays on the review list."""

from __future__ import annotations

from pathlib import Path

import pytest

from lastmile.addresses.gar import import_gar
from lastmile.addresses.models import AddressObject
from lastmile.customers.models import Customer
from tests.factories import CustomerFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

GAR = Path(__file__).parents[1] / "addresses" / "gar" / "77"


def _data(customer: Customer | None = None, **values: object) -> dict[str, object]:
    data: dict[str, object] = {
        "login": customer.login if customer else "newbie",
        "contract_number": customer.contract_number if customer else "N-1",
        "is_active": "on",
        "locality": "Зеленоград",
        "street": "Ленина",
        "house": "999",
    }
    data.update(values)
    return data


def test_the_form_has_the_picker_after_the_typed_parts(admin_client):
    page = admin_client.get("/customers/add/").content.decode()
    assert 'name="address_object__q"' in page and "/addresses/pick/?field=address_object" in page
    assert page.index('name="apartment"') < page.index('name="address_object__q"')
    assert page.index('name="address_object__q"') < page.index('name="description"')


def test_a_picked_object_is_saved_and_the_typed_text_kept(admin_client):
    import_gar(GAR)
    flat = AddressObject.objects.get(gar_object_id=500)
    response = admin_client.post("/customers/add/", _data(address_object=flat.pk))
    assert response.status_code == 302
    customer = Customer.objects.get(login="newbie")
    assert customer.address_object == flat
    assert (customer.street, customer.house) == ("Ленина", "999")
    # Editing shows the current object checked and keeps it when unchanged.
    page = admin_client.get(f"/customers/{customer.pk}/edit/").content.decode()
    assert f'value="{flat.pk}" checked' in page
    admin_client.post(
        f"/customers/{customer.pk}/edit/", _data(customer, address_object=flat.pk, full_name="X")
    )
    customer.refresh_from_db()
    assert (customer.address_object, customer.full_name) == (flat, "X")


def test_the_current_object_survives_an_edit_after_it_was_retired(admin_client):
    import_gar(GAR)
    flat = AddressObject.objects.get(gar_object_id=500)
    customer = CustomerFactory(address_object=flat)
    AddressObject.objects.filter(pk=flat.pk).update(is_active=False)
    response = admin_client.post(
        f"/customers/{customer.pk}/edit/", _data(customer, address_object=flat.pk)
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.address_object == flat


def test_unpicked_the_typed_address_is_matched_or_reviewed(admin_client):
    from lastmile.parties.matching import match_customer_addresses
    from lastmile.parties.models import AddressReview

    import_gar(GAR)
    admin_client.post("/customers/add/", _data(address_object=""))
    admin_client.post(
        "/customers/add/",
        _data(login="flat", contract_number="N-2", house="12", apartment="5", address_object=""),
    )
    assert not Customer.objects.filter(address_object__isnull=False).exists()
    result = match_customer_addresses()
    assert (result.matched, result.unmatched) == (1, 1)
    assert Customer.objects.get(login="flat").address_object.gar_object_id == 500  # type: ignore[union-attr]
    review = AddressReview.objects.get(customer__login="newbie")
    assert "newbie" in admin_client.get("/parties/address-review/").content.decode()
    # Picking it in the customer form takes it off the review list.
    street = AddressObject.objects.get(gar_object_id=300)
    customer = review.customer
    admin_client.post(
        f"/customers/{customer.pk}/edit/", _data(customer, address_object=street.pk), follow=True
    )
    assert Customer.objects.get(pk=customer.pk).address_object == street
    assert "newbie" not in admin_client.get("/parties/address-review/").content.decode()


def test_an_object_the_user_cannot_see_is_refused(client):
    import_gar(GAR)
    hidden = AddressObject.objects.get(gar_object_id=500)
    staff = UserFactory()
    grant(staff, Customer, ["view", "add", "change"])
    grant(staff, AddressObject, ["view"], constraints={"level": "street"})
    client.force_login(staff)
    response = client.post("/customers/add/", _data(address_object=hidden.pk))
    assert response.status_code == 200
    assert not Customer.objects.filter(login="newbie").exists()
