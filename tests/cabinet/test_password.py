"""Changing the cabinet password: the current one is required, weak ones are
refused with a message saying why, other sessions and tokens end."""

from __future__ import annotations

import pytest
from django.test import Client

from lastmile.cabinet.models import CabinetToken
from tests.cabinet.conftest import PASSWORD, bearer, make_subscriber

pytestmark = pytest.mark.django_db


def _change(client: Client, new: str, current: str = PASSWORD):
    return client.post(
        "/cabinet/settings/password/",
        {"current_password": current, "new_password": new, "new_password_again": new},
    )


@pytest.mark.parametrize(
    ("new", "why"),
    [
        ("Ab1-x", "too short"),
        ("password123", "too common"),
        ("83920174625", "entirely numeric"),
        ("alice-2024x", "too similar to the login"),
        ("C-77442199", "too similar to the contract number"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(db, new, why):
    customer = make_subscriber(login="alice-2024", contract_number="C-77442199")
    client = Client()
    client.post("/cabinet/login/", {"login": customer.login, "password": PASSWORD})
    response = _change(client, new)
    assert response.status_code == 400
    assert why in response.content.decode()
    customer.refresh_from_db()
    assert customer.check_cabinet_password(PASSWORD)


def test_current_password_is_required(cabinet, subscriber):
    response = _change(cabinet, "Amber-Lantern-91", current="not-it")
    assert response.status_code == 400
    assert "The current password is wrong." in response.content.decode()


def test_new_passwords_must_match(cabinet):
    response = cabinet.post(
        "/cabinet/settings/password/",
        {
            "current_password": PASSWORD,
            "new_password": "Amber-Lantern-91",
            "new_password_again": "Amber-Lantern-92",
        },
    )
    assert "The two new passwords differ." in response.content.decode()


def test_password_change_keeps_this_session_and_new_password_works(cabinet, subscriber):
    response = _change(cabinet, "Amber-Lantern-91")
    assert response.status_code == 302
    assert cabinet.get("/cabinet/").status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.check_cabinet_password("Amber-Lantern-91")
    assert not subscriber.check_cabinet_password(PASSWORD)


def test_api_password_change_revokes_other_tokens_only(subscriber):
    mine = bearer(subscriber)
    other = bearer(subscriber)
    client = Client(headers=mine)
    r = client.post(
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": "123"},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert "too short" in r.json()["detail"]
    r = client.post(
        "/api/v1/me/password",
        {"current_password": "wrong", "new_password": "Amber-Lantern-91"},
        content_type="application/json",
    )
    assert r.status_code == 403
    r = client.post(
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": "Amber-Lantern-91"},
        content_type="application/json",
    )
    assert r.status_code == 204
    assert client.get("/api/v1/me").status_code == 200
    assert Client(headers=other).get("/api/v1/me").status_code == 401
    assert CabinetToken.objects.filter(revoked_at__isnull=True).count() == 1


# A staff reset is the same operation as the subscriber's own change ------------


def _staff_reset(customer, password: str):  # type: ignore[no-untyped-def]
    from lastmile.customers import services as customers

    customers.set_customer_passwords(customer=customer, cabinet_password=password)


def test_a_staff_reset_revokes_every_token_and_ends_every_session(cabinet, subscriber):
    token = bearer(subscriber)
    assert Client(headers=token).get("/api/v1/me").status_code == 200
    _staff_reset(subscriber, "Amber-Lantern-91")
    assert Client(headers=token).get("/api/v1/me").status_code == 401
    assert not CabinetToken.objects.filter(customer=subscriber, revoked_at__isnull=True).exists()
    assert cabinet.get("/cabinet/").status_code == 302
    assert (
        Client()
        .post("/cabinet/login/", {"login": "alice", "password": "Amber-Lantern-91"})
        .status_code
        == 302
    )


@pytest.mark.parametrize(
    "weak",
    ["alice-2024x", "C-77442199"],  # like the login, like the contract number
)
def test_a_staff_reset_uses_the_subscribers_validators(db, weak):
    from lastmile.customers.errors import InvalidValue

    customer = make_subscriber(login="alice-2024", contract_number="C-77442199")
    with pytest.raises(InvalidValue) as err:
        _staff_reset(customer, weak)
    assert err.value.field == "cabinet_password"
    assert "too similar" in str(err.value)
    customer.refresh_from_db()
    assert customer.check_cabinet_password(PASSWORD)


def test_a_staff_reset_through_the_api_revokes_tokens(admin_client, subscriber):
    token = bearer(subscriber)
    response = admin_client.post(
        f"/api/v1/customers/{subscriber.pk}/passwords",
        {"cabinet_password": "Amber-Lantern-91"},
        content_type="application/json",
    )
    assert response.status_code in (200, 204), response.content
    assert Client(headers=token).get("/api/v1/me").status_code == 401


def test_a_staff_reset_is_in_the_login_log(subscriber):
    from lastmile.cabinet.models import CabinetAuthEvent

    _staff_reset(subscriber, "Amber-Lantern-91")
    event = CabinetAuthEvent.objects.get(kind="password_changed", customer=subscriber)
    assert event.via == "staff"
