"""Staff see every access change and the NAS's answers: on the customer page, in
two lists and through the API, each limited to the customers they may view."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from lastmile.aaa.models import AccessChange, NasAttempt
from tests.factories import CustomerFactory, NasFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes(db):  # type: ignore[no-untyped-def]
    nas = NasFactory(name="bras-1")
    out = {}
    for login in ("mine", "theirs"):
        customer = CustomerFactory(login=login)
        change = AccessChange.objects.create(
            customer=customer, reason="blocked", state="applied", tries=1, summary="S1: ack"
        )
        NasAttempt.objects.create(
            change=change, customer=customer, nas=nas, acct_session_id=f"{login}-s1",
            kind="coa", result="nak", detail="Unsupported-Service", sent_at=timezone.now(),
        )  # fmt: skip
        NasAttempt.objects.create(
            change=change, customer=customer, nas=nas, acct_session_id=f"{login}-s1",
            kind="disconnect", is_fallback=True, result="ack", sent_at=timezone.now(),
        )  # fmt: skip
        out[login] = customer
    return out


@pytest.fixture
def limited(changes) -> Client:  # type: ignore[no-untyped-def]
    """May see the customer "mine" and its access changes only."""
    from lastmile.customers.models import Customer

    user = UserFactory(username="limited")
    grant(user, Customer, ["view"], {"login": "mine"})
    grant(user, AccessChange, ["view"], {"customer__login": "mine"})
    grant(user, NasAttempt, ["view"], {"customer__login": "mine"})
    client = Client()
    client.force_login(user)
    return client


def test_the_customer_page_lists_changes_with_each_request_and_answer(admin_client, changes):  # type: ignore[no-untyped-def]
    html = admin_client.get(f"/customers/{changes['mine'].pk}/").content.decode()
    assert 'data-testid="access-changes"' in html
    assert "blocked" in html and "Unsupported-Service" in html and "fallback" in html


def test_the_staff_lists_filter_by_customer_and_state(admin_client, changes):  # type: ignore[no-untyped-def]
    page = admin_client.get("/network/access/", {"state": "applied"}).content.decode()
    assert "mine" in page and "theirs" in page
    one = admin_client.get("/network/access/", {"customer_id": changes["mine"].pk}).content.decode()
    assert "mine" in one and "theirs" not in one
    requests = admin_client.get("/network/access/requests/", {"result": "nak"}).content.decode()
    assert "Unsupported-Service" in requests and "mine-s1" in requests


def test_a_limited_user_sees_only_their_customers_changes(limited, changes):  # type: ignore[no-untyped-def]
    page = limited.get("/network/access/").content.decode()
    assert "mine" in page and "theirs" not in page
    requests = limited.get("/network/access/requests/").content.decode()
    assert "mine-s1" in requests and "theirs-s1" not in requests
    api = limited.get("/api/v1/aaa/access-changes").json()
    assert [c["customer_id"] for c in api["items"]] == [changes["mine"].pk]
    assert [a["result"] for a in api["items"][0]["attempts"]] == ["nak", "ack"]


def test_staff_without_the_permission_are_refused(changes):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(UserFactory(username="nobody"))
    assert client.get("/network/access/").status_code == 403
    assert client.get("/api/v1/aaa/access-changes").status_code == 403
