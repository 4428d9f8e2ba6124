"""Contract documents: every field filled, rendered to PDF, stored with its SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from lastmile.contracts import documents, services
from lastmile.contracts.models import ContractDocument, DocumentTemplate
from lastmile.parties import services as parties
from lastmile.parties.errors import InvalidValue
from lastmile.parties.models import IndividualDetails, Passport
from tests.factories import CustomerFactory, UserFactory, grant
from tests.parties.helpers import VALID_INN10, legal_with_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def isp(settings):
    conf = settings.LASTMILE
    saved = (conf.isp_inn, conf.isp_full_name)
    conf.isp_inn, conf.isp_full_name = "7830002293", "ООО «Провайдер»"
    yield conf
    conf.isp_inn, conf.isp_full_name = saved


def _individual_contract():
    customer = CustomerFactory(
        full_name="Петров Пётр", locality="Зеленоград", street="Ленина", house="12"
    )
    parties.save_individual(
        customer=customer,
        last_name="Петров",
        first_name="Пётр",
        passport=Passport(series="4509", number="123456", issued_by="ОВД", unit_code="770-001"),
    )
    return services.create_contract(
        number="I-1",
        starts_on=dt.date(2024, 2, 1),
        signed_on=dt.date(2024, 1, 31),
        customer=customer,
    )


def test_context_fills_customer_passport_address_contract_and_isp(isp):
    contract = _individual_contract()
    html = documents.render_html(documents.DEFAULT_BODY, contract)
    for text in (
        "I-1",
        "01.02.2024",
        "31.01.2024",
        "4509 123456",
        "770-001",
        "ООО «Провайдер»",
        "7830002293",
        "Зеленоград, Ленина, 12",
        contract.customer.login,
    ):
        assert text in html, text


def test_legal_branch_document_has_the_organisation_requisites():
    entity, _ = legal_with_contract(starts_on=dt.date(2024, 1, 10))
    customer = CustomerFactory()
    parties.attach_branch(customer=customer, legal_entity=entity, name="Склад")
    contract = services.create_contract(
        number="B-9", starts_on=dt.date(2024, 1, 10), customer=customer
    )
    html = documents.render_html(documents.DEFAULT_BODY, contract)
    assert VALID_INN10 in html
    assert "Общество с ограниченной ответственностью «Ромашка»" in html
    assert "Иванов Иван" in html


def test_pdf_is_rendered_and_hashed():
    contract = _individual_contract()
    template = documents.save_template(name="Договор", body=documents.DEFAULT_BODY, kind="main")

    document = documents.create_document(contract=contract, template=template)

    stored = ContractDocument.objects.get(pk=document.pk)
    pdf = bytes(stored.pdf)
    assert pdf.startswith(b"%PDF-")
    assert stored.sha256 == hashlib.sha256(pdf).hexdigest()
    assert "123456" in stored.html


def test_passport_is_left_out_for_staff_without_the_permission():
    contract = _individual_contract()
    clerk = UserFactory()
    html = documents.render_html("[{{ passport.number }}]", contract, actor=clerk)
    assert "[]" in html
    grant(clerk, IndividualDetails, ["view"])
    clerk = type(clerk).objects.get(pk=clerk.pk)
    assert "[123456]" in documents.render_html("[{{ passport.number }}]", contract, actor=clerk)


def test_a_broken_template_is_refused_with_its_error():
    with pytest.raises(InvalidValue, match="The template has an error"):
        documents.save_template(name="x", body="{% if %}", kind="main")
    assert not DocumentTemplate.objects.exists()
