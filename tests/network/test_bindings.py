"""IPoE bindings: the canonical port key, services, staff pages, API, permissions."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from lastmile.aaa.ports import port_key
from lastmile.accounts.services import create_api_token
from lastmile.customers.models import Customer
from lastmile.network import services
from lastmile.network.errors import BindingConflict, BindingNotAllowed, InvalidBinding
from lastmile.network.models import AccessBinding, Lease
from lastmile.network.ports import binding_key
from tests.aaa.helpers import radius_server
from tests.factories import (
    AccessBindingFactory,
    CustomerFactory,
    CustomerGroupFactory,
    NasFactory,
    PoolFactory,
    SubscriptionFactory,
    TariffFactory,
    UserFactory,
    grant,
)
from tests.interop.radclient import radclient

# Remote/circuit ids as switches send them and as staff type them.
KEY_TABLE = [
    ("sw-7", "eth1/0/5"),
    ("0x0006001122334455", "0x000400640105"),
    (b"\x00\x06\x00\x11\x22\x33\x44\x55", b"\x00\x04\x00\x64\x01\x05"),
    ("0006001122334455", "000400640105"),
    ("0xfffe00", "0x01"),
    ("foo", ""),
    ("", ""),
    ("  padded  ", " x "),
    (b"\xff\xfe", b"\x01"),
    ("д-7", "порт 5"),
    ("x" * 300, "1"),
]


@pytest.mark.parametrize(("remote", "circuit"), KEY_TABLE)
def test_binding_key_is_the_radius_port_key(remote, circuit):  # type: ignore[no-untyped-def]
    assert binding_key(remote, circuit) == port_key(remote, circuit)


def test_one_port_in_two_encodings_has_one_key():
    assert (
        binding_key("0x0006001122334455", "0x000400640105")[0]
        == binding_key(b"\x00\x06\x00\x11\x22\x33\x44\x55", b"\x00\x04\x00\x64\x01\x05")[0]
    )


# --- services ------------------------------------------------------------------------


@pytest.fixture
def groups(db):  # type: ignore[no-untyped-def]
    north, south = CustomerGroupFactory(name="North"), CustomerGroupFactory(name="South")
    return {
        "north": north,
        "south": south,
        "ann": CustomerFactory(login="ann", group=north),
        "bob": CustomerFactory(login="bob", group=south),
    }


@pytest.fixture
def north_staff(groups):  # type: ignore[no-untyped-def]
    """Staff who may see and bind only the North group's customers."""
    user = UserFactory(username="northie")
    grant(user, Customer, ["view"], {"group__name": "North"})
    grant(
        user, AccessBinding, ["view", "add", "change", "delete"], {"customer__group__name": "North"}
    )
    return user


@pytest.mark.django_db
def test_create_normalises_the_mac_and_keys_the_port(groups):  # type: ignore[no-untyped-def]
    change = services.create_binding(
        actor=None, customer=groups["ann"], mac="AA-BB-CC-00-11-22", remote_id=" sw-7 ",
        circuit_id="eth1/0/5",
    )  # fmt: skip
    binding = AccessBinding.objects.get(pk=change.binding.pk)
    assert (binding.mac, binding.remote_id, binding.circuit_id) == (
        "aa:bb:cc:00:11:22", "sw-7", "eth1/0/5",
    )  # fmt: skip
    assert (binding.port_switch, binding.port_name) == ("name:sw-7", "eth1/0/5")
    assert change.warning == ""


@pytest.mark.django_db
def test_bad_values_are_refused_and_nothing_saved(groups):  # type: ignore[no-untyped-def]
    ann = groups["ann"]
    for kwargs, field in [
        ({"mac": "not-a-mac"}, "mac"),
        ({"mac": "aa:bb:cc:dd:ee:ff:00"}, "mac"),
        ({}, ""),
        ({"circuit_id": "eth1/0/5"}, "remote_id"),
        ({"remote_id": "x" * 129}, "remote_id"),
    ]:
        with pytest.raises(InvalidBinding) as exc:
            services.create_binding(actor=None, customer=ann, **kwargs)
        assert exc.value.field == field and str(exc.value)
    assert not AccessBinding.objects.exists()


@pytest.mark.django_db
def test_an_unknown_port_format_is_kept_as_text_with_a_warning(groups):  # type: ignore[no-untyped-def]
    change = services.create_binding(
        actor=None, customer=groups["ann"], remote_id="0xfffe00", circuit_id="0x01"
    )
    assert "identical text" in change.warning
    binding = AccessBinding.objects.get()
    assert (binding.port_switch, binding.port_name) == ("raw:0xfffe00", "0x01")


@pytest.mark.django_db
def test_one_port_in_two_encodings_is_refused_naming_the_holder(groups):  # type: ignore[no-untyped-def]
    services.create_binding(
        actor=None, customer=groups["ann"], remote_id="0x0006001122334455",
        circuit_id="0x000400640105",
    )  # fmt: skip
    with pytest.raises(BindingConflict) as exc:
        services.create_binding(
            actor=None, customer=groups["bob"], remote_id="0006001122334455",
            circuit_id="000400640105",
        )  # fmt: skip
    assert "ann" in str(exc.value)
    assert AccessBinding.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_one_port_in_two_encodings_too(groups):  # type: ignore[no-untyped-def]
    AccessBindingFactory(
        customer=groups["ann"], remote_id="0x0006001122334455", circuit_id="0x000400640105"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessBindingFactory(
            customer=groups["bob"], remote_id="0006001122334455", circuit_id="000400640105"
        )
    # A row written past the model (no key) is refused by the check constraint.
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessBinding.objects.bulk_create(
            [AccessBinding(customer=groups["bob"], remote_id="sw-9", circuit_id="1")]
        )


@pytest.mark.django_db
def test_mac_conflict_names_the_holder_only_to_who_may_see_them(groups, north_staff):  # type: ignore[no-untyped-def]
    services.create_binding(actor=None, customer=groups["bob"], mac="aa:bb:cc:00:00:01")
    with pytest.raises(BindingConflict) as exc:
        services.create_binding(actor=north_staff, customer=groups["ann"], mac="AABB.CC00.0001")
    assert str(exc.value) == "MAC aa:bb:cc:00:00:01 is already bound to another customer."
    with pytest.raises(BindingConflict) as exc:
        services.create_binding(actor=None, customer=groups["ann"], mac="aa:bb:cc:00:00:01")
    assert "bob" in str(exc.value)


@pytest.mark.django_db
def test_update_moves_and_rekeys_and_delete_removes(groups):  # type: ignore[no-untyped-def]
    binding = services.create_binding(actor=None, customer=groups["ann"], remote_id="sw-1").binding
    change = services.update_binding(
        actor=None, binding=binding, customer=groups["bob"], remote_id="sw-2", circuit_id="eth1/0/7"
    )
    binding.refresh_from_db()
    assert (binding.customer, binding.port_switch, binding.port_name) == (
        groups["bob"], "name:sw-2", "eth1/0/7",
    )  # fmt: skip
    assert change.warning == ""
    other = services.create_binding(actor=None, customer=groups["ann"], remote_id="sw-1").binding
    with pytest.raises(BindingConflict):
        services.update_binding(actor=None, binding=other, remote_id="sw-2", circuit_id="eth1/0/7")
    other.refresh_from_db()
    assert other.remote_id == "sw-1"
    services.delete_binding(actor=None, binding=binding)
    assert list(AccessBinding.objects.all()) == [other]


@pytest.mark.django_db
def test_services_check_object_permissions(groups, north_staff):  # type: ignore[no-untyped-def]
    with pytest.raises(BindingNotAllowed):
        services.create_binding(actor=north_staff, customer=groups["bob"], mac="aa:aa:aa:aa:aa:01")
    mine = services.create_binding(
        actor=north_staff, customer=groups["ann"], mac="aa:aa:aa:aa:aa:02"
    ).binding
    with pytest.raises(BindingNotAllowed):
        services.update_binding(actor=north_staff, binding=mine, customer=groups["bob"])
    mine.refresh_from_db()
    assert mine.customer == groups["ann"]
    theirs = services.create_binding(
        actor=None, customer=groups["bob"], mac="aa:aa:aa:aa:aa:03"
    ).binding
    with pytest.raises(BindingNotAllowed):
        services.delete_binding(actor=north_staff, binding=theirs)
    assert AccessBinding.objects.filter(pk=theirs.pk).exists()


# --- API -----------------------------------------------------------------------------


def _api(user):  # type: ignore[no-untyped-def]
    _token, secret = create_api_token(user=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.mark.django_db
def test_api_create_list_update_delete(groups):  # type: ignore[no-untyped-def]
    api = _api(UserFactory(is_superuser=True))
    ann, bob = groups["ann"], groups["bob"]
    created = api.post(
        "/api/v1/network/bindings",
        {"customer_id": ann.pk, "remote_id": "0x0006001122334455", "circuit_id": "0x000400640105"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["login"], body["port_switch"], body["port_name"], body["warning"]) == (
        "ann", "00:11:22:33:44:55", "1/5", "",
    )  # fmt: skip
    api.post(
        "/api/v1/network/bindings",
        {"customer_id": bob.pk, "mac": "AA-BB-CC-00-00-09"},
        content_type="application/json",
    )
    listed = api.get("/api/v1/network/bindings", {"switch": "00:11:22"}).json()
    assert [item["login"] for item in listed["items"]] == ["ann"]
    assert api.get("/api/v1/network/bindings", {"mac": "aabb.cc00.0009"}).json()["count"] == 1
    assert api.get("/api/v1/network/bindings", {"login": "bo"}).json()["count"] == 1
    patched = api.patch(
        f"/api/v1/network/bindings/{body['id']}",
        {"customer_id": bob.pk, "description": "flat 9"},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["login"], patched.json()["description"]) == ("bob", "flat 9")
    assert api.delete(f"/api/v1/network/bindings/{body['id']}").status_code == 204
    assert not AccessBinding.objects.filter(pk=body["id"]).exists()


@pytest.mark.django_db
def test_api_errors_are_problems(groups):  # type: ignore[no-untyped-def]
    api = _api(UserFactory(is_superuser=True))
    url = "/api/v1/network/bindings"
    first = {"customer_id": groups["ann"].pk, "remote_id": "sw-7", "circuit_id": "eth1/0/5"}
    assert api.post(url, first, content_type="application/json").status_code == 201
    again = api.post(
        url, {**first, "customer_id": groups["bob"].pk}, content_type="application/json"
    )
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert "ann" in again.json()["detail"]
    bad = api.post(
        url, {"customer_id": groups["bob"].pk, "mac": "zz"}, content_type="application/json"
    )
    assert (bad.status_code, bad.json()["field"]) == (422, "mac")
    raw = api.post(
        url,
        {"customer_id": groups["bob"].pk, "remote_id": "0xfffe00", "circuit_id": "0x01"},
        content_type="application/json",
    )
    assert raw.status_code == 201 and "identical text" in raw.json()["warning"]


@pytest.mark.django_db
def test_api_limited_staff_cannot_see_or_bind_another_group(groups, north_staff):  # type: ignore[no-untyped-def]
    theirs = AccessBindingFactory(customer=groups["bob"], mac="aa:bb:cc:00:00:0b")
    mine = AccessBindingFactory(customer=groups["ann"], mac="aa:bb:cc:00:00:0a")
    api = _api(north_staff)
    url = "/api/v1/network/bindings"
    assert [i["id"] for i in api.get(url).json()["items"]] == [mine.pk]
    refused = api.post(
        url, {"customer_id": groups["bob"].pk, "mac": "aa:bb:cc:00:00:0c"},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 404
    assert (
        api.patch(
            f"{url}/{theirs.pk}", {"description": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    moved = api.patch(
        f"{url}/{mine.pk}", {"customer_id": groups["bob"].pk}, content_type="application/json"
    )
    assert moved.status_code == 404
    assert api.delete(f"{url}/{theirs.pk}").status_code == 404
    taken = api.post(
        url, {"customer_id": groups["ann"].pk, "mac": "aa:bb:cc:00:00:0b"},
        content_type="application/json",
    )  # fmt: skip
    assert taken.status_code == 409
    assert taken.json()["detail"] == "MAC aa:bb:cc:00:00:0b is already bound to another customer."
    assert AccessBinding.objects.count() == 2


# --- staff pages ---------------------------------------------------------------------


@pytest.mark.django_db
def test_customer_page_section_adds_edits_and_deletes(admin_client, groups):  # type: ignore[no-untyped-def]
    ann = groups["ann"]
    page = f"/customers/{ann.pk}/"
    assert "No IPoE bindings" in admin_client.get(page).content.decode()
    added = admin_client.post(
        "/network/bindings/add/",
        {"login": "ann", "mac": "AA-BB-CC-00-00-21", "remote_id": "0xfffe00",
         "circuit_id": "0x01", "next": page + "#ipoe-bindings"},
        follow=True,
    )  # fmt: skip
    assert added.redirect_chain[-1][0] == page + "#ipoe-bindings"
    html = added.content.decode()
    assert "aa:bb:cc:00:00:21" in html and "identical text" in html
    binding = AccessBinding.objects.get()
    edit = admin_client.get(f"/network/bindings/{binding.pk}/")
    assert edit.status_code == 200 and "0xfffe00" in edit.content.decode()
    saved = admin_client.post(
        f"/network/bindings/{binding.pk}/",
        {"login": "bob", "mac": "aa:bb:cc:00:00:21", "remote_id": "sw-3",
         "circuit_id": "eth1/0/3"},
    )  # fmt: skip
    assert saved.status_code == 302
    binding.refresh_from_db()
    assert (binding.customer, binding.port_switch) == (groups["bob"], "name:sw-3")
    assert admin_client.get(f"/network/bindings/{binding.pk}/delete/").status_code == 200
    gone = admin_client.post(f"/network/bindings/{binding.pk}/delete/")
    assert gone.status_code == 302 and gone["Location"].startswith(
        f"/customers/{groups['bob'].pk}/"
    )
    assert not AccessBinding.objects.exists()


@pytest.mark.django_db
def test_form_errors_are_shown_not_500(admin_client, groups):  # type: ignore[no-untyped-def]
    AccessBindingFactory(
        customer=groups["ann"], remote_id="0x0006001122334455", circuit_id="0x000400640105"
    )
    for data, text in [
        ({"login": "bob", "remote_id": "0006001122334455", "circuit_id": "000400640105"},
         "already bound (as 0x0006001122334455 / 0x000400640105) to customer ann"),
        ({"login": "bob", "mac": "nope"}, "is not a MAC address"),
        ({"login": "bob"}, "Enter a MAC address, a switch port"),
        ({"login": "nobody", "mac": "aa:bb:cc:00:00:01"}, "No such customer."),
    ]:  # fmt: skip
        response = admin_client.post("/network/bindings/add/", data)
        assert response.status_code == 200
        assert text in response.content.decode()
    assert AccessBinding.objects.count() == 1


@pytest.mark.django_db
def test_list_page_filters_and_pages(admin_client, groups):  # type: ignore[no-untyped-def]
    for n in range(55):
        AccessBindingFactory(customer=groups["ann"], mac=f"aa:bb:cc:00:01:{n:02x}")
    AccessBindingFactory(customer=groups["bob"], remote_id="sw-77", circuit_id="eth1/0/1")
    first = admin_client.get("/network/bindings/").content.decode()
    assert "IPoE bindings" in first and "aa:bb:cc:00:01:00" in first
    assert "page=2" in first
    assert "aa:bb:cc:00:01:36" in admin_client.get("/network/bindings/?page=2").content.decode()
    by_mac = admin_client.get("/network/bindings/?mac=AABB.CC00.0105").content.decode()
    assert "aa:bb:cc:00:01:05" in by_mac and "aa:bb:cc:00:01:06" not in by_mac
    by_switch = admin_client.get("/network/bindings/?switch=sw-77").content.decode()
    assert "eth1/0/1" in by_switch and "aa:bb:cc:00:01:05" not in by_switch
    by_login = admin_client.get("/network/bindings/?login=bob").content.decode()
    assert "sw-77" in by_login and "aa:bb:cc:00:01:05" not in by_login
    assert "/network/bindings/" in admin_client.get("/network/leases/").content.decode()


@pytest.mark.django_db
def test_pages_limited_staff_cannot_see_or_bind_another_group(client, groups, north_staff):  # type: ignore[no-untyped-def]
    theirs = AccessBindingFactory(customer=groups["bob"], mac="aa:bb:cc:00:00:0b")
    AccessBindingFactory(customer=groups["ann"], mac="aa:bb:cc:00:00:0a")
    client.force_login(north_staff)
    listed = client.get("/network/bindings/").content.decode()
    assert "aa:bb:cc:00:00:0a" in listed and "aa:bb:cc:00:00:0b" not in listed
    assert client.get(f"/network/bindings/add/?customer={groups['bob'].pk}").status_code == 404
    assert client.get(f"/network/bindings/{theirs.pk}/").status_code == 404
    assert client.post(f"/network/bindings/{theirs.pk}/delete/").status_code == 404
    refused = client.post("/network/bindings/add/", {"login": "bob", "mac": "aa:bb:cc:00:00:0c"})
    assert "No such customer." in refused.content.decode()
    assert AccessBinding.objects.count() == 2
    outsider = UserFactory(username="outsider")
    client.force_login(outsider)
    assert client.get("/network/bindings/").status_code == 403
    assert client.get("/network/bindings/add/").status_code == 403


# --- the running RADIUS server matches what the API bound -----------------------------

IPOE_REQUEST = (
    'User-Name = "x", ADSL-Agent-Remote-Id = 0x0006001122334455,'
    " ADSL-Agent-Circuit-Id = 0x000400640105, Message-Authenticator = 0x00"
)


def _auth_until(port: int, want: str) -> str:
    """radclient until the answer is ``want`` (the server learns changes by NOTIFY)."""
    code = ""
    for _attempt in range(25):
        code, _attrs = radclient(port, "auth", IPOE_REQUEST)
        if code == want:
            break
        time.sleep(0.2)
    return code


@pytest.mark.interop
@pytest.mark.skipif(shutil.which("radclient") is None, reason="freeradius-utils not installed")
def test_a_binding_made_through_the_api_is_matched_by_the_running_server(transactional_db):  # type: ignore[no-untyped-def]
    NasFactory(name="bras", address="127.0.0.1", vendor="mikrotik")
    PoolFactory(name="main", network="10.78.0.0/24", kind="dynamic")
    customer = CustomerFactory(pppoe=True, login="ipoe-api")
    SubscriptionFactory(customer=customer, tariff=TariffFactory())
    api = _api(UserFactory(is_superuser=True))
    with radius_server() as server:
        before, _attrs = radclient(server.auth_port, "auth", IPOE_REQUEST)
        # Staff type the binary identity the switch sends as bare hex text.
        created = api.post(
            "/api/v1/network/bindings",
            {"customer_id": customer.pk, "remote_id": "0006001122334455",
             "circuit_id": "000400640105"},
            content_type="application/json",
        )  # fmt: skip
        assert created.status_code == 201, created.content
        accepted = _auth_until(server.auth_port, "Access-Accept")
        assert api.delete(f"/api/v1/network/bindings/{created.json()['id']}").status_code == 204
        rejected = _auth_until(server.auth_port, "Access-Reject")
    assert before == "Access-Reject"
    assert accepted == "Access-Accept"
    assert Lease.objects.filter(customer=customer, ended_at__isnull=True).exists()
    assert rejected == "Access-Reject"


# --- the data migration ----------------------------------------------------------------

BEFORE_KEYS = ("network", "0004_aaa_notify_chunks")
WITH_KEYS = ("network", "0005_binding_port_key")


def _migrate_to_latest() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(target: tuple[str, str]):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def test_the_migration_keys_existing_rows_and_stops_on_one_port_twice(transactional_db):  # type: ignore[no-untyped-def]
    ann, bob = CustomerFactory(login="ann"), CustomerFactory(login="bob")
    try:
        old = _migrate(BEFORE_KEYS).get_model("network", "AccessBinding")
        hex_row = old.objects.create(
            customer_id=ann.pk, remote_id="0x0006001122334455", circuit_id="0x000400640105"
        )
        old.objects.create(customer_id=ann.pk, mac="aa:bb:cc:00:00:01")
        # The model as of that migration (later migrations add columns).
        keyed_model = _migrate(WITH_KEYS).get_model("network", "AccessBinding")
        keyed = keyed_model.objects.get(pk=hex_row.pk)
        assert (keyed.port_switch, keyed.port_name) == ("00:11:22:33:44:55", "1/5")
        assert keyed_model.objects.get(mac="aa:bb:cc:00:00:01").port_switch == ""

        old = _migrate(BEFORE_KEYS).get_model("network", "AccessBinding")
        bare = old.objects.create(
            customer_id=bob.pk, remote_id="0006001122334455", circuit_id="000400640105"
        )
        with pytest.raises(RuntimeError) as exc:
            _migrate(WITH_KEYS)
        assert f"#{hex_row.pk} and #{bare.pk}" in str(exc.value)
        old.objects.filter(pk=bare.pk).delete()
    finally:
        _migrate_to_latest()
    assert AccessBinding.objects.count() == 2


# --- the race: two staff bind one port in two encodings at once ---------------------------


def test_two_concurrent_bindings_of_one_port_give_one_row_and_one_clear_conflict(
    transactional_db,
):  # type: ignore[no-untyped-def]
    from django.db import connection, connections

    ann, bob = CustomerFactory(login="ann"), CustomerFactory(login="bob")
    first_inserted, may_commit = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                services.create_binding(
                    actor=None, customer=ann, remote_id="0x0006001122334455",
                    circuit_id="0x000400640105",
                )  # fmt: skip
                first_inserted.set()
                may_commit.wait(60)
            outcome["first"] = "ok"
        finally:
            connections.close_all()

    def second() -> None:
        try:
            # Past the pre-check (the first row is not committed), the insert waits
            # on the unique index until the first transaction commits.
            services.create_binding(
                actor=None, customer=bob, remote_id="0006001122334455", circuit_id="000400640105"
            )
            outcome["second"] = "ok"
        except Exception as exc:  # the outcome is what is checked
            outcome["second"] = exc
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert first_inserted.wait(60)
    two = threading.Thread(target=second)
    two.start()
    with connection.cursor() as cur:
        for _poll in range(600):
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cur.fetchone()[0]:
                break
            time.sleep(0.05)
    may_commit.set()
    one.join(60)
    two.join(60)
    assert outcome["first"] == "ok"
    assert isinstance(outcome["second"], BindingConflict), outcome["second"]
    assert "ann" in str(outcome["second"])
    assert list(AccessBinding.objects.values_list("customer__login", flat=True)) == ["ann"]
