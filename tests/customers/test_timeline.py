"""One customer timeline merges history, money, subscriptions, network and tickets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from lastmile.customers.models import Customer
from lastmile.finance.services import record_payment
from lastmile.network.models import Session
from tests.factories import (
    CustomerFactory,
    NasFactory,
    TariffFactory,
    TicketFactory,
    UserFactory,
    grant,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_customer():  # type: ignore[no-untyped-def]
    from lastmile.subscriptions.services import buy_tariff

    customer = CustomerFactory(pppoe=True, login="busy")
    record_payment(customer_id=customer.pk, amount="1000", external_id="tl-1")
    buy_tariff(customer=customer, tariff=TariffFactory(name="Home 100", price=300, is_public=True))
    now = timezone.now()
    Session.objects.create(
        customer=customer, nas=NasFactory(), acct_session_id="tl-s", login="busy",
        started_at=now - timedelta(hours=1), updated_at=now, stopped_at=now,
    )  # fmt: skip
    TicketFactory(customer=customer)
    Customer.objects.filter(pk=customer.pk).update(full_name="Renamed Person")
    return customer


def test_the_timeline_merges_every_kind_newest_first(admin_client, busy_customer):
    page = admin_client.get(f"/customers/{busy_customer.pk}/timeline/")
    assert page.status_code == 200
    events = page.context["events"]
    kinds = {e.kind for e in events}
    assert {"history", "money", "subscriptions", "network", "tickets"} <= kinds
    assert [e.at for e in events] == sorted((e.at for e in events), reverse=True)
    html = page.content.decode()
    assert "Home 100" in html and "Went online" in html and "Renamed Person" in html


def test_the_timeline_filters_by_kind(admin_client, busy_customer):
    page = admin_client.get(f"/customers/{busy_customer.pk}/timeline/", {"kind": "money"})
    assert {e.kind for e in page.context["events"]} == {"money"}


def test_a_user_without_money_permissions_sees_no_money_on_the_timeline(busy_customer):
    clerk = UserFactory(username="tl-clerk")
    grant(clerk, Customer, ["view"])
    client = Client()
    client.force_login(clerk)
    page = client.get(f"/customers/{busy_customer.pk}/timeline/")
    assert page.status_code == 200
    assert "money" not in {e.kind for e in page.context["events"]}


def test_an_outsider_gets_404(busy_customer):
    client = Client()
    client.force_login(UserFactory(username="tl-outsider"))
    assert client.get(f"/customers/{busy_customer.pk}/timeline/").status_code == 404


def test_a_block_reason_shows_on_the_timeline(admin_client):
    customer = CustomerFactory(pppoe=True, login="blocked-why")
    admin_client.post(f"/customers/{customer.pk}/deactivate/", {"reason": "non-payment"})
    page = admin_client.get(f"/customers/{customer.pk}/timeline/", {"kind": "history"})
    assert "non-payment" in page.content.decode()
