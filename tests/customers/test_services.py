"""Customer use cases: create, update only what changed, secrets at rest,
activation, groups."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lastmile.customers import services
from lastmile.customers.errors import AlreadyExists, InvalidValue, NotAllowed
from lastmile.customers.hashers import DemoPBKDF2PasswordHasher
from lastmile.customers.models import Customer
from tests.factories import CustomerFactory, CustomerGroupFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _raw(customer_id: int, column: str) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM customers_customer WHERE id = %s", [customer_id])
        return cur.fetchone()[0]


def test_create_customer_cleans_values():
    group = CustomerGroupFactory(name="Flats")
    customer = services.create_customer(
        login=" alice ",
        contract_number=" 42 ",
        full_name=" Alice Liddell ",
        phones=["+7 900 000-00-01", " ", "+7 900 000-00-01"],
        email="alice@example.net",
        street="Mira st.",
        house="5",
        apartment="12",
        group=group,
    )
    customer.refresh_from_db()
    assert customer.login == "alice"
    assert customer.contract_number == "42"
    assert customer.full_name == "Alice Liddell"
    assert customer.phones == ["+7 900 000-00-01"]
    assert customer.group == group
    assert customer.is_active
    assert customer.address == "Mira st., 5, 12"


def test_create_rejects_taken_login_case_insensitively():
    CustomerFactory(login="bob")
    with pytest.raises(AlreadyExists) as err:
        services.create_customer(login="BOB", contract_number="x-1")
    assert "BOB" in str(err.value) and err.value.field == "login"


def test_create_rejects_taken_contract_number():
    CustomerFactory(contract_number="777")
    with pytest.raises(AlreadyExists, match="777"):
        services.create_customer(login="carol", contract_number="777")


@pytest.mark.parametrize("login", ["", "with space", "кириллица", "-dash", "a" * 65])
def test_create_rejects_bad_login_with_a_clear_message(login):
    with pytest.raises(InvalidValue, match="Latin letters"):
        services.create_customer(login=login, contract_number="c-1")


def test_create_rejects_bad_email_and_phone():
    with pytest.raises(InvalidValue, match="e-mail"):
        services.create_customer(login="d", contract_number="1", email="not-an-email")
    with pytest.raises(InvalidValue, match="phone"):
        services.create_customer(login="d", contract_number="1", phones=["call me"])


def test_create_with_site_when_sites_disabled_is_refused(settings):
    settings.LASTMILE.sites_enabled = False
    with pytest.raises(InvalidValue, match="Sites are disabled"):
        services.create_customer(login="e", contract_number="1", site=SiteFactory())


def test_update_writes_only_changed_columns():
    customer = CustomerFactory(full_name="Old Name", street="Mira st.")
    with CaptureQueriesContext(connection) as queries:
        changed = services.update_customer(
            customer=customer,
            changes={"full_name": "New Name", "street": "Mira st.", "login": customer.login},
        )
    assert changed == ["full_name"]
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    set_clause = updates[0].split(" SET ")[1].split(" WHERE ")[0]
    assert '"full_name"' in set_clause
    for column in ("street", "login", "phones", "is_active", "updated_at", "pppoe_secret"):
        assert column not in set_clause


def test_update_keeps_a_concurrent_change_to_another_column():
    customer = CustomerFactory(full_name="Name", description="")
    # Someone else changes another column after we loaded the customer.
    Customer.objects.filter(pk=customer.pk).update(description="note by colleague")
    services.update_customer(customer=customer, changes={"full_name": "Renamed"})
    customer.refresh_from_db()
    assert customer.full_name == "Renamed"
    assert customer.description == "note by colleague"


def test_update_with_nothing_changed_writes_nothing():
    customer = CustomerFactory(full_name="Same")
    with CaptureQueriesContext(connection) as queries:
        assert services.update_customer(customer=customer, changes={"full_name": "Same"}) == []
    assert not [q for q in queries if q["sql"].startswith("UPDATE")]


def test_updated_at_is_stamped_by_the_database():
    customer = CustomerFactory()
    before = customer.updated_at
    services.update_customer(customer=customer, changes={"house": "99"})
    assert customer.updated_at > before
    customer.refresh_from_db()
    assert customer.updated_at > before


def test_update_foreign_key_compares_by_id():
    group = CustomerGroupFactory()
    customer = CustomerFactory(group=group)
    assert services.update_customer(customer=customer, changes={"group": group}) == []
    assert services.update_customer(customer=customer, changes={"group": None}) == ["group"]
    customer.refresh_from_db()
    assert customer.group is None


def test_update_rejects_unknown_fields():
    with pytest.raises(TypeError):
        services.update_customer(
            customer=CustomerFactory(), changes={"pppoe_secret_encrypted": "x"}
        )


def test_update_rejects_login_of_another_customer():
    CustomerFactory(login="taken")
    customer = CustomerFactory(login="mine")
    with pytest.raises(AlreadyExists):
        services.update_customer(customer=customer, changes={"login": "Taken"})
    customer.refresh_from_db()
    assert customer.login == "mine"


def test_pppoe_secret_is_encrypted_at_rest_and_readable():
    customer = CustomerFactory()
    services.set_customer_passwords(customer=customer, pppoe_password="s3cret-PPP")
    raw = _raw(customer.pk, "pppoe_secret_encrypted")
    assert raw and "s3cret-PPP" not in raw
    customer.refresh_from_db()
    assert customer.get_pppoe_secret() == "s3cret-PPP"


def test_cabinet_password_is_hashed():
    customer = CustomerFactory()
    services.set_customer_passwords(customer=customer, cabinet_password="Tr1cky-Horse-42")
    raw = _raw(customer.pk, "cabinet_password")
    assert raw.startswith("pbkdf2_sha256$")
    assert "Tr1cky-Horse-42" not in raw
    customer.refresh_from_db()
    assert customer.check_cabinet_password("Tr1cky-Horse-42")
    assert not customer.check_cabinet_password("wrong")


def test_weak_cabinet_password_is_refused():
    with pytest.raises(InvalidValue) as err:
        services.set_customer_passwords(customer=CustomerFactory(), cabinet_password="12345")
    assert err.value.field == "cabinet_password"


def test_setting_passwords_writes_only_the_secret_columns():
    customer = CustomerFactory()
    with CaptureQueriesContext(connection) as queries:
        services.set_customer_passwords(customer=customer, pppoe_password="abc123")
    update = next(q["sql"] for q in queries if q["sql"].startswith("UPDATE"))
    set_clause = update.split(" SET ")[1].split(" WHERE ")[0]
    assert re.findall(r'"(\w+)" = ', set_clause) == ["pppoe_secret_encrypted"]


def test_secrets_never_reach_the_logs(caplog, capsys):
    customer = CustomerFactory()
    services.set_customer_passwords(customer=customer, pppoe_password="Needle-In-Log")
    services.reveal_pppoe_secret(customer=customer, actor=None)
    captured = capsys.readouterr()
    assert "Needle-In-Log" not in captured.out + captured.err + caplog.text


def test_demo_hash_is_upgraded_at_first_login():
    customer = CustomerFactory()
    hasher = DemoPBKDF2PasswordHasher()
    customer.cabinet_password = hasher.encode("pass7", hasher.salt())
    customer.save(update_fields=["cabinet_password"])
    assert customer.check_cabinet_password("pass7")
    assert _raw(customer.pk, "cabinet_password").startswith("pbkdf2_sha256$")


def test_deactivate_and_activate_are_idempotent():
    customer = CustomerFactory(is_active=True)
    assert services.deactivate_customer(customer=customer) is True
    assert services.deactivate_customer(customer=customer) is False
    assert customer.is_active is False
    assert services.activate_customer(customer=customer) is True
    customer.refresh_from_db()
    assert customer.is_active


def test_actor_cannot_create_customer_outside_own_site(owner, north, south, sites_enabled):
    with pytest.raises(NotAllowed):
        services.create_customer(login="sneaky", contract_number="s-1", site=south, actor=owner)
    assert not Customer.objects.filter(login="sneaky").exists()
    created = services.create_customer(login="fine", contract_number="f-1", site=north, actor=owner)
    assert created.pk


def test_actor_cannot_move_customer_to_another_site(owner, north_customer, south, sites_enabled):
    with pytest.raises(NotAllowed):
        services.update_customer(customer=north_customer, changes={"site": south}, actor=owner)
    assert north_customer.site.slug == "north"  # the in-memory object is restored
    north_customer.refresh_from_db()
    assert north_customer.site.slug == "north"


def test_group_names_are_unique_case_insensitively():
    services.create_group(name="Business")
    with pytest.raises(AlreadyExists):
        services.create_group(name="business")
    group = services.create_group(name="Flats")
    assert services.update_group(group=group, changes={"name": "Flats 2"}) == ["name"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_login_make_one_customer():
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def create(n: int) -> None:
        try:
            barrier.wait()
            services.create_customer(login="racer", contract_number=f"r-{n}")
            outcomes.append("created")
        except AlreadyExists:
            outcomes.append("taken")
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created", "taken"]
    assert Customer.objects.filter(login="racer").count() == 1
