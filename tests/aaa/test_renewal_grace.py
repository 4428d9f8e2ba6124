"""The CoA/Disconnect job reads the same grace after a period end as the RADIUS
server: a subscription the boundary's run is about to renew is still paid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lastmile.aaa import policy
from lastmile.aaa.apply_plan import access_targets
from lastmile.aaa.policy import Access
from lastmile.subscriptions.models import Subscription
from lastmile.subscriptions.services import buy_tariff
from tests.factories import CustomerFactory, TariffFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ended_ago_s", "access"),
    [(5.0, Access.PAID), (policy.RENEWAL_GRACE_S + 5, Access.GUEST)],
)
def test_an_active_subscription_just_past_its_end_is_paid_for_the_job_too(
    ended_ago_s: float, access: Access
) -> None:
    now = timezone.now()
    customer = CustomerFactory(balance="100")
    buy_tariff(customer=customer, tariff=TariffFactory(price="100"), at=now - timedelta(days=40))
    Subscription.objects.filter(customer=customer).update(
        period_end=now - timedelta(seconds=ended_ago_s)
    )
    assert access_targets([customer.pk], at=now)[customer.pk].access is access
