"""Staff pages of contracts: state buttons, documents and PDF download, template preview."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from lastmile.contracts import documents, services
from lastmile.contracts.models import Contract, ContractDocument, DocumentTemplate
from tests.factories import CustomerFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


def _contract():
    return services.create_contract(
        number="P-1", starts_on=dt.date(2024, 2, 1), customer=CustomerFactory(), state="active"
    )


def test_list_detail_and_state_change(admin_client):
    contract = _contract()
    assert "P-1" in admin_client.get("/contracts/").content.decode()
    page = admin_client.get(f"/contracts/{contract.pk}/").content.decode()
    assert 'data-state="suspended"' in page and 'data-state="terminated"' in page
    assert 'data-state="draft"' not in page

    response = admin_client.post(
        f"/contracts/{contract.pk}/state/", {"to_state": "draft"}, follow=True
    )
    assert "cannot go from" in response.content.decode()
    admin_client.post(
        f"/contracts/{contract.pk}/state/", {"to_state": "terminated", "on_date": "2024-05-01"}
    )
    contract.refresh_from_db()
    assert (contract.state, contract.ends_on) == ("terminated", dt.date(2024, 5, 1))


def test_add_contract_form(admin_client):
    customer = CustomerFactory()
    url = f"/contracts/add/?customer={customer.pk}"
    response = admin_client.post(
        url, {"number": "", "kind": "main", "starts_on": "2024-01-01", "state": "draft"}
    )
    assert "This field is required." in response.content.decode()
    response = admin_client.post(
        url, {"number": "Z-1", "kind": "iptv", "starts_on": "2024-01-01", "state": "draft"}
    )
    assert response.status_code == 302
    assert Contract.objects.get(number="Z-1").kind == "iptv"
    response = admin_client.post(
        url, {"number": "Z-1", "kind": "iptv", "starts_on": "2024-01-01", "state": "draft"}
    )
    assert "already used" in response.content.decode()


def test_document_is_made_and_downloaded(admin_client):
    contract = _contract()
    template = documents.save_template(name="Договор", body=documents.DEFAULT_BODY, kind="main")
    admin_client.post(f"/contracts/{contract.pk}/documents/", {"template": template.pk})
    document = ContractDocument.objects.get()

    response = admin_client.get(f"/contracts/documents/{document.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(response.content).hexdigest() == document.sha256
    assert document.sha256[:8] in admin_client.get(f"/contracts/{contract.pk}/").content.decode()


def test_document_download_needs_the_contract(client):
    contract = _contract()
    template = documents.save_template(name="Договор", body="x", kind="main")
    document = documents.create_document(contract=contract, template=template)
    outsider = UserFactory()
    grant(outsider, ContractDocument, ["view"])
    client.force_login(outsider)
    assert client.get(f"/contracts/documents/{document.pk}/pdf/").status_code == 404


def test_template_editor_previews_without_saving(admin_client):
    contract = _contract()
    data = {
        "name": "T",
        "kind": "main",
        "body": "№ {{ contract.number }}",
        "is_active": "on",
        "contract": contract.pk,
        "preview": "1",
    }
    page = admin_client.post("/contracts/templates/add/", data).content.decode()
    assert "№ P-1" in page
    assert not DocumentTemplate.objects.exists()
    data["preview_pdf"] = data.pop("preview")
    response = admin_client.post("/contracts/templates/add/", data)
    assert response.content.startswith(b"%PDF-")
    assert not DocumentTemplate.objects.exists()
    data.pop("preview_pdf")

    data["body"] = "{% if %}"
    assert (
        "The template has an error"
        in admin_client.post("/contracts/templates/add/", data).content.decode()
    )
    data["body"] = "ok"
    assert admin_client.post("/contracts/templates/add/", data).status_code == 302
    assert DocumentTemplate.objects.get().body == "ok"
    assert "T" in admin_client.get("/contracts/templates/").content.decode()


def test_customer_page_lists_contracts(admin_client):
    contract = _contract()
    page = admin_client.get(f"/customers/{contract.customer_id}/").content.decode()
    assert "P-1" in page
