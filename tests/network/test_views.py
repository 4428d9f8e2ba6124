"""Staff pages and API of the network app."""

from __future__ import annotations

import pytest
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from lastmile.aaa.models import AccessChange
from lastmile.network.models import Lease, Nas, Session
from tests.factories import CustomerFactory, LeaseFactory, NasFactory, PoolFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():  # type: ignore[no-untyped-def]
    pool = PoolFactory(name="main", network="10.5.0.0/24")
    customer = CustomerFactory(pppoe=True, login="viewme")
    lease = LeaseFactory(address="10.5.0.9", pool=pool, customer=customer, kind="dynamic")
    nas = NasFactory(address="127.0.0.1", coa_port=9)  # nothing listens: timeout
    now = timezone.now()
    session = Session.objects.create(
        nas=nas, acct_session_id="v1", customer=customer, login="viewme", address="10.5.0.9",
        started_at=now, updated_at=now,
    )  # fmt: skip
    return {"pool": pool, "customer": customer, "lease": lease, "session": session}


def test_pages_render_for_staff(admin_client, data):  # type: ignore[no-untyped-def]
    for url in [
        "/network/pools/",
        "/network/leases/",
        "/network/leases/?address=10.5.0.9&state=all",
        f"/network/leases/?customer_id={data['customer'].pk}&state=all",
        "/network/sessions/?is_open=true&login=view",
        "/network/nases/",
        "/network/nases/add/",
        "/network/vlans/",
        "/network/pools/add/",
        "/network/leases/static/",
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
    pools = admin_client.get("/network/pools/").content.decode()
    assert "<progress" in pools and "1 / 254" in pools
    assert "10.5.0.9" in admin_client.get("/network/leases/").content.decode()


def test_outsider_sees_nothing(client, data):  # type: ignore[no-untyped-def]
    client.force_login(UserFactory())
    assert client.get("/network/leases/").status_code == 403
    assert client.post(f"/network/leases/{data['lease'].pk}/end/").status_code == 404


def test_nas_form_encrypts_secret(admin_client):  # type: ignore[no-untyped-def]
    response = admin_client.post(
        "/network/nases/add/",
        {
            "name": "b1",
            "address": "198.51.100.1",
            "vendor": "mikrotik",
            "coa_port": 3799,
            "is_active": "on",
            "secret": "s3cret",
        },
    )
    assert response.status_code == 302
    nas = Nas.objects.get(name="b1")
    assert "s3cret" not in nas.secret_encrypted and nas.get_secret() == "s3cret"


def test_end_lease_and_disconnect_buttons_ask_for_a_job_and_do_not_wait(admin_client, data):  # type: ignore[no-untyped-def]
    response = admin_client.post(f"/network/sessions/{data['session'].pk}/disconnect/")
    assert response.status_code == 302
    change = AccessChange.objects.get(reason="staff_disconnect")
    assert (change.session_pk, change.state) == (data["session"].pk, "pending")
    assert ProcrastinateJob.objects.filter(task_name="aaa.apply_access").count() == 1
    admin_client.post(f"/network/leases/{data['lease'].pk}/end/")
    data["lease"].refresh_from_db()
    assert data["lease"].end_reason == "deleted"
    ended = AccessChange.objects.get(reason="lease_ended")
    assert ended.address == data["lease"].address


def test_static_assignment_form(admin_client, data):  # type: ignore[no-untyped-def]
    response = admin_client.post(
        "/network/leases/static/", {"login": "viewme", "address": "10.5.0.20", "mac": ""}
    )
    assert response.status_code == 302
    assert Lease.objects.filter(address="10.5.0.20", kind="static", ended_at__isnull=True).exists()
    taken = admin_client.post(
        "/network/leases/static/", {"login": "viewme", "address": "10.99.99.99"}
    )
    assert "not inside any active pool" in taken.content.decode()


def test_api_lists(admin_client, data):  # type: ignore[no-untyped-def]
    pools = admin_client.get("/api/v1/network/pools").json()
    assert pools[0]["used"] == 1 and pools[0]["size"] == 254
    leases = admin_client.get(f"/api/v1/network/leases?customer_id={data['customer'].pk}").json()
    assert leases["items"][0]["address"] == "10.5.0.9"
    sessions = admin_client.get("/api/v1/network/sessions?online=true").json()
    assert sessions["count"] == 1


def test_customer_section_template(data):  # type: ignore[no-untyped-def]
    from django.template.loader import render_to_string

    html = render_to_string("network/_customer_leases.html", {"customer": data["customer"]})
    assert "10.5.0.9" in html and "Lease history" in html
