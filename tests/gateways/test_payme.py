"""Payme merchant API (JSON-RPC) over real HTTP."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest

from lastmile.finance.gateways.models import PaymeTransaction
from lastmile.finance.gateways.payme_rpc import TIMEOUT_MS, now_ms
from lastmile.finance.models import Account, EntryKind, LedgerEntry, Payment
from lastmile.finance.queries import check_ledger
from tests.factories import CustomerFactory
from tests.gateways.conftest import configure, http_request, in_threads

pytestmark = pytest.mark.django_db(transaction=True)
KEY = "payme-merchant-key"


def auth(key: str = KEY) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"Paycom:{key}".encode()).decode()}


@pytest.fixture
def payme(db):  # type: ignore[no-untyped-def]
    return configure("payme", credentials={"key": KEY}, min_amount="1.00", max_amount="100000.00")


def rpc(
    base_url: str, method: str, params: dict[str, Any], *, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    body = json.dumps({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}).encode()
    reply = http_request(
        base_url,
        "POST",
        "/pay/payme/",
        body=body,
        headers={"Content-Type": "application/json", **(auth() if headers is None else headers)},
    )
    assert reply.status == 200
    data: dict[str, Any] = json.loads(reply.body)
    assert data["id"] in (7, None)
    return data


def create(
    base_url: str, tx_id: str, login: str, tiyin: int = 1_500_050, at: int | None = None
) -> dict[str, Any]:
    return rpc(
        base_url,
        "CreateTransaction",
        {"id": tx_id, "time": at or now_ms(), "amount": tiyin, "account": {"login": login}},
    )


def balance(customer_id: int) -> Decimal:
    account = Account.objects.filter(pk=customer_id).first()
    return account.balance if account else Decimal("0.00")


def test_full_flow_credits_tiyin_divided_by_100(base_url, payme):
    customer = CustomerFactory(login="uz1")
    check = rpc(
        base_url, "CheckPerformTransaction", {"amount": 1_500_050, "account": {"login": "uz1"}}
    )
    assert check["result"] == {"allow": True}
    created = create(base_url, "p-1", "uz1")["result"]
    assert created["state"] == 1
    performed = rpc(base_url, "PerformTransaction", {"id": "p-1"})["result"]
    assert performed["state"] == 2 and performed["transaction"] == created["transaction"]
    assert balance(customer.pk) == Decimal("15000.50")
    status = rpc(base_url, "CheckTransaction", {"id": "p-1"})["result"]
    assert status["state"] == 2 and status["perform_time"] == performed["perform_time"]


def test_repeated_create_and_perform_return_first_result(base_url, payme):
    customer = CustomerFactory(login="uz2")
    first = create(base_url, "p-2", "uz2")["result"]
    assert create(base_url, "p-2", "uz2")["result"] == first
    done = rpc(base_url, "PerformTransaction", {"id": "p-2"})["result"]
    assert rpc(base_url, "PerformTransaction", {"id": "p-2"})["result"] == done
    assert balance(customer.pk) == Decimal("15000.50")


def test_simultaneous_performs_credit_once(base_url, payme):
    customer = CustomerFactory(login="uz3")
    create(base_url, "p-3", "uz3")
    results = in_threads(lambda i: rpc(base_url, "PerformTransaction", {"id": "p-3"}), 3)
    assert all(r["result"]["state"] == 2 for r in results)
    assert len({r["result"]["perform_time"] for r in results}) == 1
    assert Payment.objects.filter(gateway="payme", external_id="p-3").count() == 1
    assert balance(customer.pk) == Decimal("15000.50")


def test_simultaneous_creates_make_one_transaction(base_url, payme):
    CustomerFactory(login="uz3b")
    results = in_threads(lambda i: create(base_url, "p-3b", "uz3b"), 3)
    assert len({r["result"]["transaction"] for r in results}) == 1
    assert PaymeTransaction.objects.filter(payme_id="p-3b").count() == 1


@pytest.mark.parametrize("headers", [{}, auth("wrong-key"), {"Authorization": "Basic !!!"}])
def test_bad_credentials_are_minus_32504_before_money(base_url, payme, headers):
    customer = CustomerFactory(login="uz4")
    data = rpc(
        base_url,
        "CreateTransaction",
        {"id": "p-4", "time": now_ms(), "amount": 1000, "account": {"login": "uz4"}},
        headers=headers,
    )
    assert data["error"]["code"] == -32504
    assert not PaymeTransaction.objects.exists()
    assert balance(customer.pk) == Decimal("0.00")


def test_unknown_account_is_in_the_account_error_range(base_url, payme):
    data = rpc(base_url, "CheckPerformTransaction", {"amount": 1000, "account": {"login": "ghost"}})
    assert -31099 <= data["error"]["code"] <= -31050
    assert data["error"]["data"] == "login"
    assert "ghost" not in json.dumps(data)
    assert create(base_url, "p-5", "ghost")["error"]["code"] == -31050


@pytest.mark.parametrize("tiyin", [99, 10_000_001, "1000", 10.5])
def test_amount_out_of_range_or_not_tiyin_is_minus_31001(base_url, payme, tiyin):
    CustomerFactory(login=f"uz6-{tiyin}")
    data = rpc(
        base_url, "CheckPerformTransaction", {"amount": tiyin, "account": {"login": f"uz6-{tiyin}"}}
    )
    assert data["error"]["code"] == -31001


def test_malformed_requests(base_url, payme):
    reply = http_request(base_url, "POST", "/pay/payme/", body=b"{not json", headers=auth())
    assert json.loads(reply.body)["error"]["code"] == -32700
    assert rpc(base_url, "NoSuchMethod", {})["error"]["code"] == -32601
    reply = http_request(
        base_url, "POST", "/pay/payme/", body=b'{"method": "CheckTransaction"}', headers=auth()
    )
    assert json.loads(reply.body)["error"]["code"] == -32600
    reply = http_request(base_url, "GET", "/pay/payme/", headers=auth())
    assert json.loads(reply.body)["error"]["code"] == -32300
    assert rpc(base_url, "CheckTransaction", {"id": "missing"})["error"]["code"] == -31003
    assert rpc(base_url, "PerformTransaction", {"id": "missing"})["error"]["code"] == -31003


def test_cancel_after_perform_reverses_the_credit_in_the_ledger(base_url, payme):
    customer = CustomerFactory(login="uz7")
    create(base_url, "p-7", "uz7")
    rpc(base_url, "PerformTransaction", {"id": "p-7"})
    cancelled = rpc(base_url, "CancelTransaction", {"id": "p-7", "reason": 5})["result"]
    assert cancelled["state"] == -2 and cancelled["cancel_time"] > 0
    assert balance(customer.pk) == Decimal("0.00")
    payment = Payment.objects.get(gateway="payme", external_id="p-7")
    assert payment.state == Payment.State.REVERSED
    kinds = list(
        LedgerEntry.objects.filter(payment=payment).order_by("id").values_list("kind", "amount")
    )
    assert kinds == [
        (EntryKind.PAYMENT, Decimal("15000.50")),
        (EntryKind.REVERSAL, Decimal("-15000.50")),
    ]
    # Cancelling again returns the same answer and reverses nothing more.
    assert rpc(base_url, "CancelTransaction", {"id": "p-7", "reason": 5})["result"] == cancelled
    assert rpc(base_url, "PerformTransaction", {"id": "p-7"})["error"]["code"] == -31008
    assert rpc(base_url, "CheckTransaction", {"id": "p-7"})["result"]["reason"] == 5
    assert check_ledger()[1] == []


def test_cancel_before_perform_credits_nothing(base_url, payme):
    customer = CustomerFactory(login="uz8")
    create(base_url, "p-8", "uz8")
    assert rpc(base_url, "CancelTransaction", {"id": "p-8", "reason": 3})["result"]["state"] == -1
    assert rpc(base_url, "PerformTransaction", {"id": "p-8"})["error"]["code"] == -31008
    assert balance(customer.pk) == Decimal("0.00")


def test_transaction_older_than_12_hours_is_cancelled_with_reason_4(base_url, payme):
    customer = CustomerFactory(login="uz9")
    old = now_ms() - TIMEOUT_MS + 60_000  # still creatable, about to expire
    create(base_url, "p-9", "uz9", at=old)
    PaymeTransaction.objects.filter(payme_id="p-9").update(payme_time_ms=old - 120_000)
    assert rpc(base_url, "PerformTransaction", {"id": "p-9"})["error"]["code"] == -31008
    status = rpc(base_url, "CheckTransaction", {"id": "p-9"})["result"]
    assert (status["state"], status["reason"]) == (-1, 4)
    assert balance(customer.pk) == Decimal("0.00")
    assert create(base_url, "p-10", "uz9", at=now_ms() - TIMEOUT_MS - 1)["error"]["code"] == -31008


def test_get_statement_lists_transactions_of_the_period(base_url, payme):
    CustomerFactory(login="uz11")
    start = now_ms()
    create(base_url, "p-11", "uz11", tiyin=10_000)
    create(base_url, "p-12", "uz11", tiyin=20_000)
    rpc(base_url, "PerformTransaction", {"id": "p-12"})
    result = rpc(base_url, "GetStatement", {"from": start - 1000, "to": now_ms() + 1000})["result"]
    rows = {t["id"]: t for t in result["transactions"]}
    assert set(rows) == {"p-11", "p-12"}
    assert (rows["p-11"]["amount"], rows["p-11"]["state"]) == (10_000, 1)
    assert (rows["p-12"]["amount"], rows["p-12"]["state"]) == (20_000, 2)
    assert rows["p-12"]["account"] == {"login": "uz11"}


@pytest.mark.parametrize("tiyin", [10**30, -(10**30), 2**63])
def test_huge_amounts_are_minus_31001_not_an_internal_error(base_url, payme, tiyin):
    customer = CustomerFactory(login="uz-huge")
    for method in ("CheckPerformTransaction", "CreateTransaction"):
        params = {
            "id": "p-huge",
            "time": now_ms(),
            "amount": tiyin,
            "account": {"login": "uz-huge"},
        }
        assert rpc(base_url, method, params)["error"]["code"] == -31001
    assert not PaymeTransaction.objects.exists()
    assert balance(customer.pk) == Decimal("0.00")


@pytest.mark.parametrize(
    "at",
    [2**70, -(2**70), 2**63, now_ms() + 10 * 365 * 24 * 3600 * 1000, now_ms() + 3600_000],
    # Stable ids: parallel workers must collect the same test names.
    ids=["2^70", "-2^70", "2^63", "ten-years-ahead", "an-hour-ahead"],
)
def test_time_out_of_range_or_in_the_future_is_refused(base_url, payme, at):
    CustomerFactory(login="uz-time")
    data = create(base_url, "p-time", "uz-time", at=at)
    assert data["error"]["code"] in (-31008, -32600), data
    assert not PaymeTransaction.objects.exists()


def test_a_little_clock_skew_is_accepted(base_url, payme):
    CustomerFactory(login="uz-skew")
    assert create(base_url, "p-skew", "uz-skew", at=now_ms() + 60_000)["result"]["state"] == 1


@pytest.mark.parametrize("reason", [2**40, -(2**40), 2**15, "5", 1.5, None])
def test_cancel_reason_out_of_range_is_invalid_request(base_url, payme, reason):
    customer = CustomerFactory(login="uz-reason")
    create(base_url, "p-reason", "uz-reason")
    rpc(base_url, "PerformTransaction", {"id": "p-reason"})
    data = rpc(base_url, "CancelTransaction", {"id": "p-reason", "reason": reason})
    assert data["error"]["code"] == -32600, data
    assert PaymeTransaction.objects.get().state == "performed"
    assert balance(customer.pk) == Decimal("15000.50")


@pytest.mark.parametrize("bound", [2**70, -(2**70)])
def test_statement_bounds_out_of_range_are_invalid_request(base_url, payme, bound):
    data = rpc(base_url, "GetStatement", {"from": 0, "to": bound})
    assert "result" in data or data["error"]["code"] == -32600, data
