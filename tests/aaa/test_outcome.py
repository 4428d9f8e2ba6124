"""A NAS action on a staff page (disconnect, block, end lease) runs as a job;
the next page shows a line for it that htmx polls until the NAS's answer is
in: "disconnected", "the NAS refused", "no answer, retrying".  The NAS is the
UDP emulator speaking RADIUS CoA/Disconnect."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lastmile.aaa.apply import apply_changes
from lastmile.aaa.models import AccessChange
from lastmile.network.models import Lease, Session
from tests.aaa.nas_emulator import NasEmulator
from tests.factories import CustomerFactory, NasFactory, PoolFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_coa(settings):  # type: ignore[no-untyped-def]
    conf = settings.LASTMILE
    old = conf.radius_coa_timeout_s, conf.radius_coa_retries
    conf.radius_coa_timeout_s, conf.radius_coa_retries = 0.3, 1
    yield
    conf.radius_coa_timeout_s, conf.radius_coa_retries = old


def _session(customer, nas) -> Session:  # type: ignore[no-untyped-def]
    now = timezone.now()
    return Session.objects.create(
        nas=nas, acct_session_id="S1", customer=customer, login=customer.login,
        address="10.91.0.5", started_at=now, updated_at=now,
    )  # fmt: skip


def _outcome(client, change: AccessChange):  # type: ignore[no-untyped-def]
    return client.get(f"/network/access/{change.pk}/outcome/", headers={"HX-Request": "true"})


@pytest.mark.parametrize(
    ("mode", "expected", "final"),
    [
        ("ack", "Disconnected: the NAS confirmed.", True),
        ("nak", "The NAS refused", False),
        ("silent", "No answer from the NAS; retrying (attempt 1).", False),
    ],
)
def test_disconnect_shows_the_nas_answer_when_it_arrives(
    admin_client, fast_coa, mode, expected, final
):
    customer = CustomerFactory(pppoe=True)
    with NasEmulator(mode=mode, nak_cause=501) as emulator:
        nas = NasFactory(address="127.0.0.1", coa_port=emulator.port)
        session = _session(customer, nas)
        page = admin_client.post(f"/network/sessions/{session.pk}/disconnect/", follow=True)
        html = page.content.decode()
        # The page did not wait for the NAS: the line says so and polls.
        assert 'data-testid="access-outcome"' in html
        assert "waiting for the NAS" in html and 'hx-trigger="every 2s"' in html
        change = AccessChange.objects.get(customer=customer, reason="staff_disconnect")
        assert emulator.received == []
        apply_changes([change.pk])  # what the job does
    response = _outcome(admin_client, change)
    body = response.content.decode()
    assert response.status_code == 200
    assert expected in body
    assert ('hx-trigger="every 2s"' not in body) is final
    # Shown once: the next page has no line of its own.
    assert 'data-testid="access-outcome"' not in admin_client.get("/").content.decode()


def test_a_refusal_after_the_last_try_is_final(admin_client, fast_coa):
    customer = CustomerFactory(pppoe=True)
    with NasEmulator(mode="nak", nak_cause=501) as emulator:
        nas = NasFactory(address="127.0.0.1", coa_port=emulator.port)
        _session(customer, nas)
        admin_client.post(f"/customers/{customer.pk}/deactivate/", {"reason": "debt"})
        change = AccessChange.objects.get(customer=customer, reason="blocked")
        change.tries = 5  # the retries are spent: this is the last one
        change.save(update_fields=["tries"])
        apply_changes([change.pk])
    body = _outcome(admin_client, change).content.decode()
    assert "The NAS refused:" in body and 'hx-trigger="every 2s"' not in body


def test_ending_a_lease_without_a_session_says_there_was_nothing_to_do(admin_client):
    customer = CustomerFactory(pppoe=True)
    pool = PoolFactory(network="10.92.0.0/24")
    lease = Lease.objects.create(address="10.92.0.7", pool=pool, customer=customer, kind="dynamic")
    page = admin_client.post(f"/network/leases/{lease.pk}/end/", follow=True)
    assert 'data-testid="access-outcome"' in page.content.decode()
    change = AccessChange.objects.get(customer=customer)
    apply_changes([change.pk])
    body = _outcome(admin_client, change).content.decode()
    assert "No open session" in body


def test_someone_who_may_not_see_the_customer_gets_404(client, admin_client):
    customer = CustomerFactory(pppoe=True)
    change = AccessChange.objects.create(customer=customer, reason="blocked")
    user = UserFactory(username="nosy")
    client.force_login(user)
    assert _outcome(client, change).status_code == 404
    from lastmile.customers.models import Customer

    grant(user, Customer, ["view"])
    assert _outcome(client, change).status_code == 200


def test_a_session_the_nas_no_longer_has_counts_as_done(admin_client, fast_coa):
    customer = CustomerFactory(pppoe=True)
    with NasEmulator(mode="nak", nak_cause=503) as emulator:  # Session-Context-Not-Found
        nas = NasFactory(address="127.0.0.1", coa_port=emulator.port)
        session = _session(customer, nas)
        admin_client.post(f"/network/sessions/{session.pk}/disconnect/")
        change = AccessChange.objects.get(customer=customer)
        apply_changes([change.pk])
    body = _outcome(admin_client, change).content.decode()
    assert "The session had already ended." in body and 'hx-trigger="every 2s"' not in body


def test_the_session_list_names_the_last_request_in_words(admin_client, fast_coa):
    customer = CustomerFactory(pppoe=True)
    with NasEmulator(mode="ack") as emulator:
        nas = NasFactory(address="127.0.0.1", coa_port=emulator.port)
        session = _session(customer, nas)
        admin_client.post(f"/network/sessions/{session.pk}/disconnect/")
        apply_changes([AccessChange.objects.get(customer=customer).pk])
    admin_client.cookies["django_language"] = "ru"
    html = admin_client.get("/network/sessions/").content.decode()
    assert ">отключение<" in html
    assert ">disconnect<" not in html
