"""The rlm_rest endpoint gives the RADIUS server's decision over HTTP, only
to a NAS token."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lastmile.aaa.rest import issue_nas_token
from tests.factories import (
    NasFactory,
    NetCustomerFactory,
    NetTariffFactory,
    PoolFactory,
    net_subscribe,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/aaa/rest/authorize"


def _post(token: str, body: dict) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = Client().post(
        URL, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    return response.status_code, response.json()


def test_accept_reject_and_token_required() -> None:
    nas = NasFactory(vendor="accel-ppp")
    token = issue_nas_token(nas=nas)
    PoolFactory(network="10.99.0.0/24")
    customer = NetCustomerFactory(login="rest1")
    net_subscribe(customer, NetTariffFactory(rate_down_kbps=30000, rate_up_kbps=10000))
    status, reply = _post(
        token,
        {
            "User-Name": {"type": "string", "value": ["rest1"]},
            "User-Password": {"value": ["pass-rest1"]},
        },
    )
    assert status == 200
    assert reply["reply:Framed-IP-Address"].startswith("10.99.0.")
    assert reply["reply:PPPD-Downstream-Speed-Limit"] == 30000
    again = _post(token, {"User-Name": "rest1", "User-Password": "pass-rest1"})[1]
    assert again["reply:Framed-IP-Address"] == reply["reply:Framed-IP-Address"]
    assert _post(token, {"User-Name": "rest1", "User-Password": "no"}) == (
        401,
        {"reply:Reply-Message": "Wrong password"},
    )
    assert _post("lmnas_wrong", {"User-Name": "rest1"})[0] == 401
    response = Client().post(URL, "{}", content_type="application/json")
    assert response.status_code == 401
