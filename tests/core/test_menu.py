"""The staff menu: grouped, and filtered by what the user may open."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client

from lastmile.core.menu import _ITEMS, menu_for
from lastmile.customers.models import Customer
from lastmile.finance.models import Payment
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def _links(user) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {str(g.group.key): [url for _label, url in g.links] for g in menu_for(user)}


def test_a_cashier_sees_only_the_pages_a_cashier_may_open():
    cashier = UserFactory(username="menu-cashier")
    grant(cashier, Customer, ["view"])
    grant(cashier, Payment, ["view", "add"])
    links = _links(cashier)
    assert set(links) == {"customers", "money", "admin"}
    assert links["customers"] == ["/customers/"]
    assert "/finance/cashier/" in links["money"] and "/finance/ledger/" not in links["money"]
    assert links["admin"] == ["/api/v1/docs"]  # open to every staff member


def test_every_menu_page_opens_for_the_users_it_is_shown_to():
    cashier = UserFactory(username="menu-cashier2")
    grant(cashier, Customer, ["view"])
    grant(cashier, Payment, ["view", "add"])
    client = Client()
    client.force_login(cashier)
    for urls in _links(cashier).values():
        for url in urls:
            assert client.get(url).status_code == 200, url


def test_an_administrator_sees_every_group_in_order(admin_user):
    keys = list(_links(admin_user))
    assert keys[0] == "customers" and keys[-1] == "admin"
    assert {"billing", "money", "network", "work"} <= set(keys)


def test_the_menu_is_rendered_as_groups(admin_client):
    html = admin_client.get("/").content.decode()
    assert html.count("data-navgroup") >= 5
    assert 'href="/finance/shift-report/"' in html


def test_every_registered_link_names_a_real_model():
    for items in _ITEMS.values():
        for item in items:
            if item.model:
                apps.get_model(item.model)  # raises LookupError on a typo
