"""``Idempotency-Key`` on the subscriber API's writes: a repeat gets the first
answer instead of a second ticket or purchase; a repeat while the first still
runs gets 409; another request under the same key 422; "try again" answers
are not kept."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from lastmile.cabinet.idempotency import IDEMPOTENCY_TTL, STALE
from lastmile.cabinet.jobs import purge_idempotency_keys
from lastmile.cabinet.models import IdempotentRequest
from lastmile.finance.models import LedgerEntry
from lastmile.subscriptions.models import Subscription
from lastmile.tickets.models import Ticket
from tests.cabinet.conftest import bearer, cabinet_login, make_subscriber
from tests.factories import TariffFactory, TicketKindFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("repair")]

SUPPORT = "/api/v1/me/support"
BODY = {"subject": "No internet", "text": "Red light since morning."}


@pytest.fixture
def api(subscriber) -> Client:  # type: ignore[no-untyped-def]
    return Client(headers=bearer(subscriber))


def _post(client: Client, url: str, body: dict[str, Any], key: str | None = "k-1"):  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(url, body, content_type="application/json", headers=headers)


def test_a_repeat_gets_the_first_answer_and_opens_no_second_ticket(api):
    first = _post(api, SUPPORT, BODY)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    again = _post(api, SUPPORT, BODY)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again["Content-Type"] == first["Content-Type"]
    assert Ticket.objects.count() == 1
    assert _post(api, SUPPORT, BODY, key="k-2").status_code == 201  # a new key: a new request
    assert Ticket.objects.count() == 2


def test_without_the_header_every_request_runs(api):
    _post(api, SUPPORT, BODY, key=None)
    _post(api, SUPPORT, BODY, key=None)
    assert Ticket.objects.count() == 2 and not IdempotentRequest.objects.exists()


def test_the_same_key_for_another_request_is_refused(api):
    _post(api, SUPPORT, BODY)
    other = _post(api, SUPPORT, {**BODY, "text": "Something else"})
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Ticket.objects.count() == 1


def test_keys_are_per_customer(api, outsider):
    _post(api, SUPPORT, BODY)
    theirs = _post(Client(headers=bearer(outsider)), SUPPORT, BODY)
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert sorted(Ticket.objects.values_list("customer__login", flat=True)) == ["alice", "mallory"]


def test_a_repeat_while_the_first_runs_is_a_409(api, subscriber):
    from django.test import RequestFactory

    from lastmile.cabinet.idempotency import fingerprint

    request = RequestFactory().post(SUPPORT, BODY, content_type="application/json")
    IdempotentRequest.objects.create(
        customer=subscriber, key="k-1", fingerprint=fingerprint(request)
    )
    busy = _post(api, SUPPORT, BODY)
    assert busy.status_code == 409 and busy.json()["code"] == "idempotency_in_progress"
    assert not Ticket.objects.exists()
    # A reservation its process left behind is freed after a while.
    IdempotentRequest.objects.update(created_at=timezone.now() - STALE - timedelta(seconds=1))
    assert _post(api, SUPPORT, BODY).status_code == 201


def test_refusals_are_kept_but_unauthenticated_requests_reserve_nothing(api, subscriber):
    tariff = TariffFactory(price="5000.00")  # more than the balance of 1000
    refused = _post(api, "/api/v1/me/purchase", {"tariff_id": tariff.pk}, key="buy")
    assert refused.status_code == 402, refused.content
    kept = IdempotentRequest.objects.filter(key="buy").first()
    # A refusal for lack of money is an answer: kept, and replayed.
    assert kept is not None and kept.status == 402
    again = _post(api, "/api/v1/me/purchase", {"tariff_id": tariff.pk}, key="buy")
    assert again.status_code == 402 and again["Idempotent-Replayed"] == "true"
    # Unauthenticated: nothing reserved, the endpoint says 401.
    anonymous = _post(Client(), SUPPORT, BODY, key="anon")
    assert anonymous.status_code == 401
    assert not IdempotentRequest.objects.filter(key="anon").exists()


def test_a_bad_key_is_a_clear_422(api):
    for key in ("", "x" * 201, "ключ"):
        answer = api.post(
            SUPPORT, BODY, content_type="application/json", headers={"Idempotency-Key": key}
        )
        assert answer.status_code == 422, key
        assert answer.json()["code"] == "idempotency_key_invalid"
    assert not Ticket.objects.exists()


def test_the_session_cookie_is_scoped_like_a_token(subscriber):
    client = cabinet_login(Client(enforce_csrf_checks=False), subscriber)
    assert _post(client, SUPPORT, BODY).status_code == 201
    assert _post(client, SUPPORT, BODY)["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_expired_keys_are_purged_and_free_again(api):
    _post(api, SUPPORT, BODY)
    IdempotentRequest.objects.update(created_at=timezone.now() - IDEMPOTENCY_TTL - timedelta(1))
    assert _post(api, SUPPORT, BODY).status_code == 201
    assert "Idempotent-Replayed" not in _post(api, SUPPORT, BODY, key="k-3")
    IdempotentRequest.objects.update(created_at=timezone.now() - IDEMPOTENCY_TTL - timedelta(1))
    assert purge_idempotency_keys(0) == 2
    assert Ticket.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_purchases_at_once_with_one_key_buy_once():
    """Two retries of "buy" racing each other: one purchase, one charge; the other
    answer is the first's replay or a 409 "still running"."""
    TicketKindFactory(code="repair", name="Repair")
    customer = make_subscriber(login="racer", balance="1000.00")
    tariff = TariffFactory(price="400.00")
    headers = {**bearer(customer), "Idempotency-Key": "buy-once"}
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def buy() -> None:
        try:
            barrier.wait()
            answer = Client(headers=headers).post(
                "/api/v1/me/purchase", {"tariff_id": tariff.pk}, content_type="application/json"
            )
            answers.append(answer.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(answers)[0] == 201 and sorted(answers)[1] in (201, 409), answers
    assert Subscription.objects.filter(customer=customer).count() == 1
    charges = LedgerEntry.objects.filter(account__customer=customer, amount__lt=0)
    assert charges.count() == 1
