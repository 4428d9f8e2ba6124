"""Legal entities, contracts, documents and the address registry in Chromium.

With ``LASTMILE_SCREENSHOTS=/some/dir`` the second test also saves every page at
1366 and 390 px in English and Russian (for people to look at)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lastmile.addresses.gar import import_gar
from lastmile.contracts import documents
from lastmile.contracts import services as contracts
from lastmile.parties import services as parties
from lastmile.parties.matching import match_customer_addresses
from lastmile.parties.models import Passport
from tests.factories import PASSWORD, CustomerFactory, UserFactory
from tests.parties.helpers import legal_with_contract

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GAR = Path(__file__).parents[1] / "addresses" / "gar" / "77"


def _world():  # type: ignore[no-untyped-def]
    import_gar(GAR)
    entity, _main = legal_with_contract(starts_on=dt.date(2024, 1, 10), number="ЮЛ-001")
    branch = CustomerFactory(
        login="romashka-sklad", locality="Зеленоград", street="Ленина", house="12к1"
    )
    contracts.create_contract(
        number="Ф-001", starts_on=dt.date(2024, 1, 10), customer=branch, state="active"
    )
    parties.attach_branch(customer=branch, legal_entity=entity, name="Склад")
    late = CustomerFactory(login="late-branch", locality="Тверь", street="Советская", house="1")
    contracts.create_contract(number="Ф-002", starts_on=dt.date(2024, 3, 1), customer=late)
    person = CustomerFactory(
        login="petrov",
        full_name="Петров Пётр Петрович",
        locality="Зеленоград",
        street="Ленина",
        house="12",
        apartment="5",
    )
    parties.save_individual(
        customer=person,
        last_name="Петров",
        first_name="Пётр",
        patronymic="Петрович",
        passport=Passport(
            series="4509",
            number="123456",
            issued_by="ОВД Зеленоград",
            issued_on=dt.date(2010, 5, 1),
            unit_code="770-001",
            birth_date=dt.date(1990, 3, 4),
        ),
    )
    contract = contracts.create_contract(
        number="Ф-003", starts_on=dt.date(2024, 2, 1), customer=person, state="active"
    )
    match_customer_addresses()
    template = documents.save_template(
        name="Договор (физлицо)", body=documents.DEFAULT_BODY, kind="main"
    )
    return entity, contract, template, person


def _login(page, live_server):  # type: ignore[no-untyped-def]
    UserFactory(username="boss", is_superuser=True, is_staff=True)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_branch_dates_document_and_registry(live_server, page):
    _entity, contract, template, _ = _world()
    _login(page, live_server)

    page.goto(f"{live_server.url}/parties/legal/")
    page.get_by_role("link", name="ООО «Ромашка»").click()
    expect(page.locator("body")).to_contain_text("romashka-sklad")
    page.fill("#id_login", "late-branch")
    page.get_by_role("button", name="Add branch").click()
    expect(page.locator(".error")).to_contain_text("must start on the same day")

    page.goto(f"{live_server.url}/contracts/{contract.pk}/")
    page.select_option("#id_template", str(template.pk))
    page.get_by_role("button", name="Make document").click()
    expect(page.locator("body")).to_contain_text("The document is ready.")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF-")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("button[data-state=terminated]").click()
    expect(page.get_by_test_id("state")).to_have_text("terminated")

    page.goto(f"{live_server.url}/addresses/")
    page.get_by_role("link", name="г Москва").click()
    page.get_by_role("link", name="г Зеленоград").click()
    expect(page.locator("#object-table")).to_contain_text("аллея Солнечная")


PAGES = [
    "/parties/legal/",
    "/parties/legal/{entity}/",
    "/parties/legal/add/",
    "/contracts/",
    "/contracts/{contract}/",
    "/contracts/templates/{template}/",
    "/customers/{person}/",
    "/parties/customers/{person}/individual/",
    "/addresses/?parent={town}",
    "/parties/address-review/",
]


@pytest.mark.skipif(
    not os.environ.get("LASTMILE_SCREENSHOTS"), reason="LASTMILE_SCREENSHOTS not set"
)
def test_screenshots(live_server, browser):
    from lastmile.addresses.models import AddressObject

    entity, contract, template, person = _world()
    UserFactory(username="boss", is_superuser=True, is_staff=True)
    ids = {
        "entity": entity.pk,
        "contract": contract.pk,
        "template": template.pk,
        "person": person.pk,
        "town": AddressObject.objects.get(gar_object_id=200).pk,
    }
    out = Path(os.environ["LASTMILE_SCREENSHOTS"])
    out.mkdir(parents=True, exist_ok=True)
    for lang in ("ru", "en"):
        for width in (1366, 390):
            context = browser.new_context(viewport={"width": width, "height": 900}, locale=lang)
            context.add_cookies(
                [{"name": "django_language", "value": lang, "url": live_server.url}]
            )
            page = context.new_page()
            page.goto(f"{live_server.url}/login/")
            page.fill("#id_username", "boss")
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            for n, path in enumerate(PAGES):
                url = path.format(**ids)
                response = page.goto(f"{live_server.url}{url}")
                assert response is not None and response.status == 200, url
                if "templates" in url:
                    page.get_by_role(
                        "button", name="Preview" if lang == "en" else "Предпросмотр", exact=True
                    ).click()
                page.screenshot(path=str(out / f"{n:02d}-{lang}-{width}.png"), full_page=True)
            context.close()
