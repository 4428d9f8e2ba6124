"""Demo data: deterministic, idempotent, and consistent with the ledger."""

from __future__ import annotations

import pytest

from lastmile.core.demo import load_demo_data
from lastmile.finance.models import Account
from lastmile.finance.queries import check_ledger
from lastmile.subscriptions.models import Subscription

pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple]:
    return list(
        Subscription.objects.order_by("customer__login", "state").values_list(
            "customer__login", "tariff__name", "state", "price"
        )
    ) + list(Account.objects.order_by("customer__login").values_list("customer__login", "balance"))


def test_demo_money_is_consistent_mixed_and_idempotent():
    load_demo_data(customers=120, seed=7)
    states = set(Subscription.objects.values_list("state", flat=True))
    assert {"active", "expired", "preordered"} <= states
    assert Account.objects.count() == 120
    assert check_ledger()[1] == []
    first = _snapshot()
    load_demo_data(customers=120, seed=7)
    assert _snapshot() == first


def test_billing_run_on_demo_data_keeps_the_ledger_exact():
    from datetime import timedelta

    from django.utils import timezone

    from lastmile.subscriptions.billing import run_billing

    load_demo_data(customers=60, seed=3)
    run = run_billing(at=timezone.now() + timedelta(days=40))
    assert run.renewed + run.expired + run.preorders_applied > 0
    assert check_ledger()[1] == []
