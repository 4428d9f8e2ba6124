"""Staff second factor (django-otp): required per role, TOTP app set-up with
recovery codes, the code step after the password, throttled wrong codes."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from lastmile.accounts.services import create_api_token
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/"


@pytest.fixture
def cashiers_need_it(settings):  # type: ignore[no-untyped-def]
    conf = settings.LASTMILE
    conf.second_factor_groups = ["cashiers"]
    yield
    conf.second_factor_groups = []


@pytest.fixture
def cashier(db):  # type: ignore[no-untyped-def]
    user = UserFactory(username="kassa", is_superuser=True)
    user.groups.add(Group.objects.create(name="cashiers"))
    return user


@pytest.fixture
def clock(time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def _log_in(username: str = "kassa") -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def _set_up(client: Client) -> list[str]:
    client.get(SETUP)
    device = TOTPDevice.objects.get(user__username="kassa", confirmed=False)
    page = client.post(SETUP, {"code": _code(device)})
    assert page.status_code == 200
    return page.context["codes"]


def test_a_required_role_is_sent_to_set_up_after_the_password(cashiers_need_it, cashier):
    client = _log_in()
    response = client.get("/customers/")
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fcustomers%2F"
    assert client.get("/admin/").status_code == 302


def test_setup_confirms_with_a_code_and_gives_recovery_codes(cashiers_need_it, cashier, clock):
    client = _log_in()
    page = client.get(SETUP)
    assert page.status_code == 200
    assert page.context["qr_code"].startswith("data:image/svg+xml")
    wrong = client.post(SETUP, {"code": "000000"})
    assert "Wrong code" in wrong.content.decode()
    assert client.get("/customers/").status_code == 302
    clock.shift(60)
    codes = _set_up(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/customers/").status_code == 200
    assert TOTPDevice.objects.filter(user=cashier, confirmed=True).count() == 1


def test_the_next_login_asks_for_the_code(cashiers_need_it, cashier, clock):
    _set_up(_log_in())
    clock.shift(60)
    client = _log_in()
    response = client.get("/customers/")
    assert response["Location"] == f"{VERIFY}?next=%2Fcustomers%2F"
    assert client.get(SETUP).status_code == 302  # no replacing the app before the code
    device = TOTPDevice.objects.get(user=cashier)
    response = client.post(VERIFY, {"code": _code(device), "next": "/customers/"})
    assert response.status_code == 302
    assert response["Location"] == "/customers/"
    assert client.get("/customers/").status_code == 200


def test_a_recovery_code_works_once(cashiers_need_it, cashier, clock):
    codes = _set_up(_log_in())
    first = _log_in()
    assert first.post(VERIFY, {"code": codes[0]}).status_code == 302
    assert first.get("/customers/").status_code == 200
    clock.shift(60)
    second = _log_in()
    response = second.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200
    assert "Wrong code" in response.content.decode()


def test_wrong_codes_are_throttled_even_before_the_right_one(cashiers_need_it, cashier, clock):
    _set_up(_log_in())
    clock.shift(60)
    client = _log_in()
    for _ in range(3):
        client.post(VERIFY, {"code": "123456"})
    device = TOTPDevice.objects.get(user=cashier)
    assert client.post(VERIFY, {"code": _code(device)}).status_code == 200  # still waiting
    clock.shift(timedelta(seconds=30))
    assert client.post(VERIFY, {"code": _code(device)}).status_code == 302


def test_an_unverified_session_gets_403_from_the_api(cashiers_need_it, cashier):
    client = _log_in()
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_api_tokens_are_not_asked_for_a_code(cashiers_need_it, cashier):
    _t, secret = create_api_token(user=cashier, name="t")
    response = Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200


def test_staff_outside_the_roles_are_not_asked(cashiers_need_it, cashier):
    UserFactory(username="engineer")
    assert _log_in("engineer").get("/").status_code == 200


def test_superusers_can_be_required_to_use_it(settings):
    UserFactory(username="root2fa", is_superuser=True)
    assert _log_in("root2fa").get("/customers/").status_code == 200
    settings.LASTMILE.second_factor_superusers = True
    try:
        assert _log_in("root2fa").get("/customers/").status_code == 302
    finally:
        settings.LASTMILE.second_factor_superusers = False


def test_new_recovery_codes_replace_the_old_ones(cashiers_need_it, cashier, clock):
    old = _set_up(client := _log_in())
    page = client.post("/accounts/two-factor/recovery-codes/")
    new = page.context["codes"]
    assert set(new).isdisjoint(old)
    clock.shift(60)
    other = _log_in()
    assert other.post(VERIFY, {"code": old[1]}).status_code == 200
    clock.shift(10)  # past the throttle delay of that wrong code
    assert other.post(VERIFY, {"code": new[1]}).status_code == 302
