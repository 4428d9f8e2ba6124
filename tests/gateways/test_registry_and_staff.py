"""Registry import (preview → confirm, all or nothing) and the staff pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lastmile.finance.gateways.models import GatewayConfig, RegistryImport
from lastmile.finance.gateways.registry import (
    RegistryNotImportable,
    confirm_registry,
    preview_registry,
)
from lastmile.finance.models import Account, Payment
from lastmile.finance.services import record_payment
from tests.factories import CustomerFactory
from tests.gateways.conftest import configure

pytestmark = pytest.mark.django_db


def balance(customer_id: int) -> Decimal:
    account = Account.objects.filter(pk=customer_id).first()
    return account.balance if account else Decimal("0.00")


def test_preview_matches_login_or_contract_and_flags_duplicates(admin_user):
    a = CustomerFactory(login="reg-a")
    b = CustomerFactory(login="reg-b", contract_number="D-77")
    record_payment(customer_id=a.pk, amount="5", gateway="registry", external_id="B-OLD")
    data = (
        b"date;customer;amount;id\n"
        b"10.01.2026;reg-a;100,50;B-1\n"
        b"2026-01-11;D-77;200.00;B-2\n"
        b"10.01.2026;reg-a;5;B-OLD\n"
        b"10.01.2026;reg-a;100,50;B-1\n"
    )
    imported = preview_registry(data=data, file_name="jan.csv", actor=admin_user)
    rows = list(imported.rows.values_list("line_number", "customer_id", "amount", "status"))
    assert rows == [
        (2, a.pk, Decimal("100.50"), "new"),
        (3, b.pk, Decimal("200.00"), "new"),
        (4, a.pk, Decimal("5.00"), "duplicate"),
        (5, a.pk, Decimal("100.50"), "duplicate"),
    ]
    assert balance(a.pk) == Decimal("5.00")  # a preview credits nothing

    assert confirm_registry(registry=imported, actor=admin_user) == 2
    assert balance(a.pk) == Decimal("105.50") and balance(b.pk) == Decimal("200.00")
    assert Payment.objects.get(gateway="registry", external_id="B-2").account_id == b.pk
    with pytest.raises(RegistryNotImportable):
        confirm_registry(registry=imported, actor=admin_user)
    again = preview_registry(data=data, file_name="jan.csv", actor=admin_user)
    assert set(again.rows.values_list("status", flat=True)) == {"duplicate"}


def test_a_file_with_a_bad_line_imports_nothing(admin_user):
    a = CustomerFactory(login="reg-c")
    data = b"10.01.2026,reg-c,100,C-1\n10.01.2026,nobody,50,C-2\n32.01.2026,reg-c,1,C-3\n10.01.2026,reg-c,-4,C-4\n"
    imported = preview_registry(data=data, file_name="bad.csv", actor=admin_user)
    statuses = dict(imported.rows.values_list("line_number", "status"))
    assert statuses == {1: "new", 2: "error", 3: "error", 4: "error"}
    with pytest.raises(RegistryNotImportable, match="2, 3, 4"):
        confirm_registry(registry=imported, actor=admin_user)
    assert balance(a.pk) == Decimal("0.00")
    assert RegistryImport.objects.get(pk=imported.pk).state == "preview"


def test_lenient_or_huge_registry_amounts_are_line_errors(admin_user):
    CustomerFactory(login="reg-d")
    lines = ["1e3", "1_000", "\u0661\u0660", "10.001", "99999999999", "1 500,50"]
    data = "".join(f"10.01.2026;reg-d;{amount};D-{i}\n" for i, amount in enumerate(lines))
    imported = preview_registry(data=data.encode(), file_name="d.csv", actor=admin_user)
    statuses = list(imported.rows.values_list("status", flat=True))
    assert statuses == ["error"] * 5 + ["new"]
    assert imported.rows.get(status="new").amount == Decimal("1500.50")


def test_upload_preview_confirm_pages(admin_client):
    customer = CustomerFactory(login="reg-d")
    upload = SimpleUploadedFile("feb.csv", b"01.02.2026;reg-d;700;F-1\n", content_type="text/csv")
    response = admin_client.post("/finance/gateways/registry/", {"file": upload})
    assert response.status_code == 302
    preview = admin_client.get(response["Location"])
    assert b"reg-d" in preview.content and b"Confirm import" in preview.content
    admin_client.post(response["Location"])
    assert balance(customer.pk) == Decimal("700.00")


def test_settings_page_stores_credentials_encrypted(admin_client):
    response = admin_client.post(
        "/finance/gateways/payme/settings/",
        {
            "title": "Payme",
            "is_enabled": "on",
            "mode": "live",
            "allowed_networks": "185.234.113.0/24\n127.0.0.1",
            "min_amount": "1.00",
            "max_amount": "",
            "option_account_key": "login",
            "option_account_field": "login",
            "secret_key": "top-secret-key",
        },
    )
    assert response.status_code == 302
    config = GatewayConfig.objects.get(name="payme")
    assert config.allowed_networks == ["185.234.113.0/24", "127.0.0.1"]
    assert "top-secret-key" not in config.credentials_encrypted
    assert config.credential("key") == "top-secret-key"
    page = admin_client.get("/finance/gateways/payme/settings/")
    assert b"top-secret-key" not in page.content
    # Saving again without typing the secret keeps it.
    admin_client.post(
        "/finance/gateways/payme/settings/",
        {
            "title": "Payme",
            "mode": "live",
            "allowed_networks": "127.0.0.1",
            "option_account_key": "login",
        },
    )
    assert GatewayConfig.objects.get(name="payme").credential("key") == "top-secret-key"


def test_settings_refuse_a_bad_network(admin_client):
    response = admin_client.post(
        "/finance/gateways/rncb/settings/",
        {"title": "RNCB", "mode": "live", "allowed_networks": "not-a-net"},
    )
    assert response.status_code == 200
    assert not GatewayConfig.objects.filter(name="rncb").exists()


def test_list_log_and_reconciliation_pages(admin_client, admin_user):
    configure("card", credentials={"secret": "s"}, mode="test")
    customer = CustomerFactory(login="rec-1")
    data = b"01.02.2026;rec-1;10;R-1\n"
    confirm_registry(
        registry=preview_registry(data=data, file_name="x.csv", actor=admin_user), actor=admin_user
    )
    for url in ("/finance/gateways/", "/finance/gateways/log/", "/finance/gateways/registry/"):
        assert admin_client.get(url).status_code == 200
    page = admin_client.get("/finance/gateways/reconciliation/?since=2026-01-01&until=2026-02-28")
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [(r["gateway"].name, r["our_count"], r["their_count"], r["matches"]) for r in rows] == [
        ("registry", 1, 1, True)
    ]
    assert customer.pk


def test_staff_pages_need_permissions(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="plain"))
    assert client.get("/finance/gateways/").status_code == 403
    assert client.get("/finance/gateways/registry/").status_code == 403
    assert client.get("/finance/gateways/rncb/settings/").status_code == 403


def test_settings_refuse_lenient_amount_limits(admin_client):
    base = {"title": "Payme", "mode": "live", "allowed_networks": "127.0.0.1"}
    for low, high in (("1e3", ""), ("\u0661\u0660", ""), ("", "1_000"), ("500", "100")):
        response = admin_client.post(
            "/finance/gateways/payme/settings/", {**base, "min_amount": low, "max_amount": high}
        )
        assert response.status_code == 200, (low, high)
    assert not GatewayConfig.objects.filter(name="payme").exists()


@pytest.mark.parametrize(
    ("gateway", "words"),
    [
        ("payme", ["Ключ магазина", "Параметр счёта"]),
        ("alltime", ["Секрет", "шаг проверки закрепляет сумму"]),
        ("rncb", ["Общий секрет", "номер договора"]),
        ("card", ["Адрес платёжной страницы провайдера", "Валюта"]),
    ],
)
def test_each_gateways_settings_are_in_russian(admin_client, gateway, words):
    """A gateway's own settings (labels, help, choices) on the Russian page."""
    admin_client.cookies["django_language"] = "ru"
    page = admin_client.get(f"/finance/gateways/{gateway}/settings/").content.decode()
    for word in words:
        assert word in page, word
