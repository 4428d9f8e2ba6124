"""The one re-auth lease rule of the UDP server and the rlm_rest endpoint
(``policy.lease_renewal``): write only when half the lease is gone or the
lease lacks the equipment the request names."""

from __future__ import annotations

import pytest

from lastmile.aaa import policy
from lastmile.aaa.decision import Credentials
from lastmile.aaa.state import LeaseInfo

NOW, LEASE_TIME = 1_000_000.0, 3600


def _lease(kind: str = "dynamic", *, left_s: float = 3000, mac: str = "") -> LeaseInfo:
    return LeaseInfo(
        id=1, address=1, pool_id=1, customer_id=1, kind=kind, mac=mac, remote_id="",
        circuit_id="", expires_at=NOW + left_s,
    )  # fmt: skip


def test_a_dynamic_lease_with_more_than_half_left_is_not_written():
    assert policy.lease_renewal(_lease(), Credentials("a"), now=NOW, lease_time=LEASE_TIME) == (
        False,
        None,
    )


def test_a_dynamic_lease_with_less_than_half_left_is_extended_by_the_lease_time():
    got = policy.lease_renewal(_lease(left_s=600), Credentials("a"), now=NOW, lease_time=LEASE_TIME)
    assert got == (True, NOW + LEASE_TIME)


def test_a_lease_without_the_requests_mac_is_written_at_once():
    creds = Credentials("a", mac="aa:bb:cc:dd:ee:ff")
    assert policy.lease_renewal(_lease(), creds, now=NOW, lease_time=LEASE_TIME)[0] is True
    known = _lease(mac="aa:bb:cc:dd:ee:ff")
    assert policy.lease_renewal(known, creds, now=NOW, lease_time=LEASE_TIME)[0] is False


@pytest.mark.parametrize(("mac", "written"), [("", False), ("aa:bb:cc:dd:ee:ff", True)])
def test_a_static_lease_keeps_its_expiry_and_is_written_only_for_equipment(mac, written):
    creds = Credentials("a", mac=mac)
    got = policy.lease_renewal(_lease("static", left_s=10), creds, now=NOW, lease_time=LEASE_TIME)
    assert got == (written, None)
