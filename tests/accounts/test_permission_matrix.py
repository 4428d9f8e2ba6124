"""The permission matrix (issue 15): every model under object permissions, every
action, through the API and the staff UI.

Two worlds.  In the first the staff member may *see* every customer, but holds
each customer-linked permission (the one-to-one passport details and branches
included) only for the customers of group North (a constraint such as
``{"account__customer__group__name": "North"}``).  In the second the models
that hang off a site, not a customer (sites, customer groups, extra fields,
tariffs and pools through their groups, contracts) are granted only for site
``north``.  For every case the same request is made for a North object (it must
succeed and change the data) and for a South one (it must answer 403 or 404 and
change nothing).  The check sits in the services, so a caller that forgets it
cannot skip it.

``test_every_model_and_action_is_classified`` keeps the matrix whole: a new
model under object permissions, or a new action, fails until it has a case
here or a stated reason why no staff request reaches it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Model
from django.test import Client

from lastmile.accounts.models import Site
from lastmile.accounts.services import create_api_token
from lastmile.contracts.models import Contract
from lastmile.core.models import RestrictedModel
from lastmile.core.querysets import ACTIONS
from lastmile.customers.models import Customer, CustomerGroup, ExtraField
from lastmile.devices.models import Device, Onu
from lastmile.finance.models import Account, LedgerEntry, Payment
from lastmile.finance.services import record_payment
from lastmile.network.models import AccessBinding, Lease, Pool, Session
from lastmile.parties.models import Branch, IndividualDetails, LegalEntity
from lastmile.subscriptions.models import Subscription, Tariff
from lastmile.tickets.models import Ticket
from tests.factories import (
    CustomerFactory,
    CustomerGroupFactory,
    ExtraFieldFactory,
    PoolFactory,
    SiteFactory,
    TariffFactory,
    TicketKindFactory,
    UserFactory,
    grant,
)

pytestmark = pytest.mark.django_db

#: The path from each customer-linked model to its customer's group name.
TO_GROUP: dict[type[Model], str] = {
    Customer: "group__name",
    Account: "customer__group__name",
    LedgerEntry: "account__customer__group__name",
    Payment: "account__customer__group__name",
    Subscription: "customer__group__name",
    Lease: "customer__group__name",
    AccessBinding: "customer__group__name",
    Session: "customer__group__name",
    Ticket: "customer__group__name",
    IndividualDetails: "customer__group__name",
    Branch: "customer__group__name",
}
CUSTOM_ACTIONS: dict[type[Model], list[str]] = {Payment: ["reverse"]}


@dataclass(frozen=True)
class World:
    client: Client  # logged in (the UI)
    bearer: dict[str, str]  # the same user's API token
    tariff: Any
    kind: Any

    def api(self, method: str, path: str, body: object = None) -> Any:
        call = getattr(Client(), method.lower())
        if body is None:
            return call(f"/api/v1{path}", **self.bearer)
        return call(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", **self.bearer
        )


@dataclass(frozen=True)
class Case:
    model: type[Model]
    action: str
    channel: str  # "api" or "ui"
    request: Callable[[World, Customer], Any]
    # Did the write land?  None for a read, judged by whether the rows show.
    happened: Callable[[Customer], bool] | None
    name: str

    def __str__(self) -> str:
        return self.name


def _subscribed(customer: Customer, tariff: Any) -> Subscription:
    record_payment(customer_id=customer.pk, amount="5000", external_id=uuid.uuid4().hex)
    from lastmile.subscriptions.services import buy_tariff

    return buy_tariff(customer=customer, tariff=tariff)


def _entries(customer: Customer, kind: str) -> int:
    return LedgerEntry.objects.filter(account_id=customer.pk, kind=kind).count()


def _setup_subscription(world: World, customer: Customer) -> Subscription:
    return Subscription.objects.filter(customer=customer, state="active").first() or _subscribed(
        customer, world.tariff
    )


def _lease(customer: Customer) -> Lease:
    from lastmile.network.services import assign_static

    pool = PoolFactory(name=f"static-{customer.login}", kind="static")
    return assign_static(
        customer=customer, address=pool.network.split("/")[0][:-1] + "5", pool=pool
    )


def _legal_entity() -> Any:
    from tests.parties.helpers import legal_with_contract

    return LegalEntity.objects.first() or legal_with_contract()[0]


def _branch(customer: Customer) -> Branch:
    from lastmile.parties.services import attach_branch

    return attach_branch(customer=customer, legal_entity=_legal_entity(), name="first")


CASES: list[Case] = [
    # money
    Case(
        Payment,
        "add",
        "api",
        lambda w, c: w.api(
            "POST",
            f"/finance/customers/{c.pk}/payments",
            {"amount": "10.00", "external_id": f"m-{c.pk}"},
        ),
        lambda c: Payment.objects.filter(account_id=c.pk, external_id=f"m-{c.pk}").exists(),
        "payment via API",
    ),
    Case(
        Payment,
        "add",
        "ui",
        lambda w, c: w.client.post(
            f"/finance/customers/{c.pk}/payment/",
            {"amount": "10.00", "method": "cash", "idempotency_key": uuid.uuid4().hex},
        ),
        lambda c: Payment.objects.filter(account_id=c.pk, amount=10).exists(),
        "payment form",
    ),
    Case(
        LedgerEntry,
        "add",
        "api",
        lambda w, c: w.api(
            "POST",
            f"/finance/customers/{c.pk}/corrections",
            {"amount": "-7.00", "reason": "matrix", "idempotency_key": "k"},
        ),
        lambda c: _entries(c, "correction") == 1,
        "correction via API",
    ),
    Case(
        LedgerEntry,
        "add",
        "ui",
        lambda w, c: w.client.post(
            f"/finance/customers/{c.pk}/correction/",
            {"amount": "-7.00", "reason": "matrix", "idempotency_key": uuid.uuid4().hex},
        ),
        lambda c: _entries(c, "correction") == 1,
        "correction form",
    ),
    Case(
        LedgerEntry,
        "view",
        "api",
        lambda w, c: (
            record_payment(customer_id=c.pk, amount="3", external_id=f"v-{c.pk}"),
            w.api("GET", f"/finance/customers/{c.pk}/ledger"),
        )[1],
        None,
        "ledger via API",
    ),
    Case(
        Account,
        "change",
        "api",
        lambda w, c: w.api(
            "PUT",
            f"/finance/customers/{c.pk}/credit",
            {"credit_limit": "777.00", "credit_until": None},
        ),
        lambda c: Account.objects.filter(pk=c.pk, credit_limit=777).exists(),
        "credit limit via API",
    ),
    Case(
        Account,
        "change",
        "ui",
        lambda w, c: w.client.post(
            f"/finance/customers/{c.pk}/credit/", {"credit_limit": "777.00"}
        ),
        lambda c: Account.objects.filter(pk=c.pk, credit_limit=777).exists(),
        "credit limit form",
    ),
    Case(
        Payment,
        "reverse",
        "ui",
        lambda w, c: w.client.post(
            f"/finance/payments/{record_payment(customer_id=c.pk, amount='4', external_id=f'r-{c.pk}').payment.pk}/reverse/",
            {"reason": "matrix", "idempotency_key": uuid.uuid4().hex},
        ),
        lambda c: Payment.objects.filter(
            account_id=c.pk, external_id=f"r-{c.pk}", state="reversed"
        ).exists(),
        "payment reversal",
    ),
    # subscriptions
    Case(
        Subscription,
        "add",
        "api",
        lambda w, c: (
            record_payment(customer_id=c.pk, amount="5000", external_id=f"b-{c.pk}"),
            w.api("POST", f"/billing/customers/{c.pk}/purchase", {"tariff_id": w.tariff.pk}),
        )[1],
        lambda c: Subscription.objects.filter(customer=c, state="active").exists(),
        "purchase via API",
    ),
    Case(
        Subscription,
        "change",
        "api",
        lambda w, c: w.api(
            "PATCH", f"/billing/subscriptions/{_setup_subscription(w, c).pk}", {"auto_renew": False}
        ),
        lambda c: Subscription.objects.filter(customer=c, auto_renew=False).exists(),
        "auto-renew via API",
    ),
    Case(
        Subscription,
        "change",
        "ui",
        lambda w, c: w.client.post(
            f"/billing/customers/{c.pk}/subscriptions/{_setup_subscription(w, c).pk}/auto-renew/"
        ),
        lambda c: Subscription.objects.filter(customer=c, auto_renew=False).exists(),
        "auto-renew toggle",
    ),
    Case(
        Subscription,
        "delete",
        "api",  # terminating is the delete of a subscription
        lambda w, c: w.api(
            "POST", f"/billing/subscriptions/{_setup_subscription(w, c).pk}/terminate"
        ),
        lambda c: Subscription.objects.filter(customer=c, state="terminated").exists(),
        "termination via API",
    ),
    # customers
    Case(
        Customer,
        "change",
        "api",
        lambda w, c: w.api("PATCH", f"/customers/{c.pk}", {"full_name": "Matrix Edited"}),
        lambda c: Customer.objects.filter(pk=c.pk, full_name="Matrix Edited").exists(),
        "customer edit via API",
    ),
    # network
    Case(
        AccessBinding,
        "add",
        "api",
        lambda w, c: w.api(
            "POST",
            "/network/bindings",
            {"customer_id": c.pk, "mac": f"02:00:00:00:00:{c.pk % 256:02x}"},
        ),
        lambda c: AccessBinding.objects.filter(customer=c).exists(),
        "IPoE binding via API",
    ),
    Case(
        Lease,
        "change",
        "api",
        lambda w, c: w.api("POST", f"/network/leases/{_lease(c).pk}/end"),
        lambda c: Lease.objects.filter(customer=c, ended_at__isnull=False).exists(),
        "end a lease via API",
    ),
    # parties: one-to-one with a customer
    Case(
        IndividualDetails,
        "change",
        "ui",
        lambda w, c: w.client.post(
            f"/parties/customers/{c.pk}/individual/", {"last_name": "Matrix", "first_name": "M"}
        ),
        lambda c: IndividualDetails.objects.filter(customer=c, last_name="Matrix").exists(),
        "passport details form",
    ),
    Case(
        Branch,
        "add",
        "api",
        lambda w, c: w.api(
            "POST",
            f"/parties/legal-entities/{_legal_entity().pk}/branches",
            {"customer_id": c.pk, "name": "matrix"},
        ),
        lambda c: Branch.objects.filter(customer=c).exists(),
        "branch via API",
    ),
    Case(
        Branch,
        "change",
        "api",
        lambda w, c: w.api(
            "POST",
            f"/parties/legal-entities/{_branch(c).legal_entity_id}/branches",
            {"customer_id": c.pk, "name": "renamed"},
        ),
        lambda c: Branch.objects.filter(customer=c, name="renamed").exists(),
        "branch rename via API",
    ),
    # tickets
    Case(
        Ticket,
        "add",
        "api",
        lambda w, c: w.api(
            "POST",
            "/tasks/tickets",
            {"kind_id": w.kind.pk, "description": "matrix", "customer_id": c.pk},
        ),
        lambda c: Ticket.objects.filter(customer=c).exists(),
        "ticket via API",
    ),
]


def _ledger_shows_rows(response: Any) -> bool:
    return response.status_code == 200 and len(response.json()["items"]) > 0


@pytest.fixture
def world() -> World:
    north = CustomerGroupFactory(name="North")
    CustomerGroupFactory(name="South")
    assert north
    user = UserFactory(username="north-clerk")
    grant(user, Customer, ["view"])  # sees everyone: the writes must still be refused
    for model, path in TO_GROUP.items():
        actions = [a for a in ACTIONS if not (model is Customer and a == "view")]
        grant(user, model, actions + CUSTOM_ACTIONS.get(model, []), {path: "North"})
    grant(user, Tariff, ["view"])
    grant(user, LegalEntity, ["view"])  # a branch is attached to an entity the user sees
    client = Client()
    client.force_login(user)
    _token, secret = create_api_token(user=user, name="matrix")
    return World(
        client=client,
        bearer={"HTTP_AUTHORIZATION": f"Bearer {secret}"},
        tariff=TariffFactory(price=300, is_public=True),
        kind=TicketKindFactory(),
    )


def _customer(group: str) -> Customer:
    from lastmile.customers.models import CustomerGroup

    customer = CustomerFactory(pppoe=True, group=CustomerGroup.objects.get(name=group))
    return customer


@pytest.mark.parametrize("case", CASES, ids=str)
def test_in_scope_succeeds(world: World, case: Case) -> None:
    customer = _customer("North")
    response = case.request(world, customer)
    assert response.status_code < 400, (response.status_code, response.content[:300])
    if case.happened is None:
        assert _ledger_shows_rows(response)
    else:
        assert case.happened(customer), "the write did not land"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_out_of_scope_is_refused_and_changes_nothing(world: World, case: Case) -> None:
    customer = _customer("South")
    response = case.request(world, customer)
    if case.happened is None:  # a read: the rows are hidden
        assert response.status_code in (403, 404) or not _ledger_shows_rows(response)
        return
    assert response.status_code in (403, 404), (response.status_code, response.content[:300])
    assert not case.happened(customer), "refused, but the write landed anyway"


# --- the second world: models scoped by site (directly or through their groups) ---
#: The path from each site-scoped model to its site's slug.
TO_SITE: dict[type[Model], str] = {
    Site: "slug",
    CustomerGroup: "site__slug",
    ExtraField: "group__site__slug",
    Tariff: "groups__site__slug",
    Pool: "groups__site__slug",
    Contract: "site__slug",
}


SEEN_BY_ALL = (Site, CustomerGroup)


def _site(slug: str) -> Site:
    return SiteFactory(slug=slug, name=slug.title())


def _group(slug: str) -> CustomerGroup:
    return CustomerGroupFactory(name=f"group-{slug}", site=_site(slug))


def _field(slug: str) -> ExtraField:
    return ExtraFieldFactory(name=f"field-{slug}", group=_group(slug))


def _tariff(slug: str) -> Tariff:
    tariff = TariffFactory(name=f"tariff-{slug}")
    tariff.groups.add(_group(slug))
    return tariff


def _pool(slug: str) -> Pool:
    pool = PoolFactory(name=f"pool-{slug}")
    pool.groups.add(_group(slug))
    return pool


def _site_customer(slug: str) -> Customer:
    return CustomerFactory(pppoe=True, login=f"site-{slug}", group=_group(slug), site=_site(slug))


def _contract(slug: str) -> Contract:
    from lastmile.contracts.services import create_contract

    return Contract.objects.filter(site__slug=slug).first() or create_contract(
        number=f"K-{slug}", starts_on=dt.date(2024, 1, 10), customer=_site_customer(slug)
    )


def _tariff_body(tariff: Tariff, name: str) -> dict[str, object]:
    return {
        "name": name,
        "price": "300.00",
        "rate_down_kbps": 1000,
        "rate_up_kbps": 1000,
        "group_ids": [g.pk for g in tariff.groups.all()],
    }


@dataclass(frozen=True)
class SiteCase:
    model: type[Model]
    action: str
    channel: str
    request: Callable[[World, str], Any]  # given the site's slug
    # Did it happen?  For a read: did the object show?
    happened: Callable[[str, Any], bool]
    name: str

    def __str__(self) -> str:
        return self.name


def _shows(response: Any) -> bool:
    return response.status_code == 200


SITE_CASES: list[SiteCase] = [
    SiteCase(
        Site,
        "change",
        "api",
        lambda w, s: w.api("PUT", f"/accounts/sites/{_site(s).pk}", {"name": "Renamed", "slug": s}),
        lambda s, r: Site.objects.filter(slug=s, name="Renamed").exists(),
        "site edit via API",
    ),
    SiteCase(
        Site,
        "delete",
        "api",
        lambda w, s: w.api("DELETE", f"/accounts/sites/{_site(s).pk}"),
        lambda s, r: not Site.objects.filter(slug=s).exists(),
        "site delete via API",
    ),
    SiteCase(
        CustomerGroup,
        "add",
        "api",
        lambda w, s: w.api(
            "POST", "/customers/groups", {"name": f"new-{s}", "site_id": _site(s).pk}
        ),
        lambda s, r: CustomerGroup.objects.filter(name=f"new-{s}").exists(),
        "group via API",
    ),
    SiteCase(
        CustomerGroup,
        "change",
        "api",
        lambda w, s: w.api("PATCH", f"/customers/groups/{_group(s).pk}", {"description": "edited"}),
        lambda s, r: CustomerGroup.objects.filter(name=f"group-{s}", description="edited").exists(),
        "group edit via API",
    ),
    SiteCase(
        CustomerGroup,
        "change",
        "ui",
        lambda w, s: w.client.post(
            f"/customers/groups/{_group(s).pk}/",
            {"name": f"group-{s}", "site": _site(s).pk, "description": "edited"},
        ),
        lambda s, r: CustomerGroup.objects.filter(name=f"group-{s}", description="edited").exists(),
        "group form",
    ),
    SiteCase(
        CustomerGroup,
        "delete",
        "ui",
        lambda w, s: w.client.post(f"/customers/groups/{_group(s).pk}/delete/"),
        lambda s, r: not CustomerGroup.objects.filter(name=f"group-{s}").exists(),
        "group delete",
    ),
    SiteCase(
        ExtraField,
        "view",
        "api",
        lambda w, s: (_field(s), w.api("GET", "/customers/extra-fields"))[1],
        lambda s, r: f"field-{s}" in {f["name"] for f in r.json()["items"]},
        "extra-field list via API",
    ),
    SiteCase(
        ExtraField,
        "add",
        "api",
        lambda w, s: w.api(
            "POST", "/customers/extra-fields", {"name": f"new-{s}", "group_id": _group(s).pk}
        ),
        lambda s, r: ExtraField.objects.filter(name=f"new-{s}").exists(),
        "extra field via API",
    ),
    SiteCase(
        ExtraField,
        "change",
        "api",
        lambda w, s: w.api("PATCH", f"/customers/extra-fields/{_field(s).pk}", {"name": "edited"}),
        lambda s, r: ExtraField.objects.filter(name="edited", group__site__slug=s).exists(),
        "extra-field edit via API",
    ),
    SiteCase(
        ExtraField,
        "delete",
        "ui",
        lambda w, s: w.client.post(f"/customers/extra-fields/{_field(s).pk}/delete/"),
        lambda s, r: not ExtraField.objects.filter(name=f"field-{s}").exists(),
        "extra-field delete",
    ),
    SiteCase(
        Tariff,
        "view",
        "api",
        lambda w, s: (_tariff(s), w.api("GET", "/billing/tariffs"))[1],
        lambda s, r: f"tariff-{s}" in {t["name"] for t in r.json()["items"]},
        "tariff list via API",
    ),
    SiteCase(
        Tariff,
        "change",
        "api",
        lambda w, s: (
            lambda t: w.api("PUT", f"/billing/tariffs/{t.pk}", _tariff_body(t, f"edited-{s}"))
        )(_tariff(s)),
        lambda s, r: Tariff.objects.filter(name=f"edited-{s}").exists(),
        "tariff edit via API",
    ),
    SiteCase(
        Tariff,
        "delete",
        "ui",
        lambda w, s: w.client.post(f"/billing/tariffs/{_tariff(s).pk}/delete/"),
        lambda s, r: not Tariff.objects.filter(name=f"tariff-{s}").exists(),
        "tariff delete",
    ),
    SiteCase(
        Pool,
        "view",
        "ui",
        lambda w, s: (_pool(s), w.client.get("/network/pools/"))[1],
        lambda s, r: f"pool-{s}" in r.content.decode(),
        "pool list",
    ),
    SiteCase(
        Pool,
        "delete",
        "ui",
        lambda w, s: w.client.post(f"/network/pools/{_pool(s).pk}/delete/"),
        lambda s, r: not Pool.objects.filter(name=f"pool-{s}").exists(),
        "pool delete",
    ),
    SiteCase(
        Contract,
        "view",
        "api",
        lambda w, s: w.api("GET", f"/contracts/{_contract(s).pk}"),
        lambda s, r: _shows(r),
        "contract via API",
    ),
    SiteCase(
        Contract,
        "add",
        "ui",
        lambda w, s: w.client.post(
            f"/contracts/add/?customer={_site_customer(s).pk}",
            {"number": f"new-{s}", "kind": "main", "starts_on": "2024-01-10", "state": "draft"},
        ),
        lambda s, r: Contract.objects.filter(number=f"new-{s}").exists(),
        "contract form",
    ),
    SiteCase(
        Contract,
        "change",
        "api",
        lambda w, s: w.api("POST", f"/contracts/{_contract(s).pk}/state", {"to_state": "active"}),
        lambda s, r: Contract.objects.filter(site__slug=s, state="active").exists(),
        "contract state via API",
    ),
    SiteCase(
        Contract,
        "change",
        "ui",
        lambda w, s: w.client.post(f"/contracts/{_contract(s).pk}/state/", {"to_state": "active"}),
        lambda s, r: Contract.objects.filter(site__slug=s, state="active").exists(),
        "contract state form",
    ),
]


@pytest.fixture
def site_world(sites_enabled: None) -> World:
    _site("north")
    _site("south")
    user = UserFactory(username="north-site-clerk")
    # Sites and groups are visible to everyone (the forms offer them) and
    # customers are open: what a site-scoped permission refuses must be refused
    # by the permission itself.
    grant(user, Site, ["view"])
    grant(user, CustomerGroup, ["view"])
    grant(user, Customer, list(ACTIONS))
    for model, path in TO_SITE.items():
        actions = [a for a in ACTIONS if not (model in SEEN_BY_ALL and a == "view")]
        grant(user, model, actions, {path: "north"})
    client = Client()
    client.force_login(user)
    _token, secret = create_api_token(user=user, name="site-matrix")
    return World(
        client=client,
        bearer={"HTTP_AUTHORIZATION": f"Bearer {secret}"},
        tariff=None,
        kind=None,
    )


@pytest.mark.parametrize("case", SITE_CASES, ids=str)
def test_site_scope_in_scope_succeeds(site_world: World, case: SiteCase) -> None:
    response = case.request(site_world, "north")
    assert response.status_code < 400, (response.status_code, response.content[:300])
    assert case.happened("north", response), "the request did not take effect"


@pytest.mark.parametrize("case", SITE_CASES, ids=str)
def test_site_scope_out_of_scope_is_refused(site_world: World, case: SiteCase) -> None:
    response = case.request(site_world, "south")
    if case.action == "view":  # a read: hidden (404) or left out of the list
        assert response.status_code == 404 or not case.happened("south", response)
        return
    assert response.status_code in (403, 404), (response.status_code, response.content[:300])
    assert not case.happened("south", response), "refused, but the write landed anyway"


# --- the third world: ONUs, under their own permission scoped by the OLT's group ---
# Seeing an OLT (the device permission) shows none of its ONUs; an ONU permission
# constrained by ``olt__group__name`` shows that group's ONUs, OLT page or not.


@dataclass(frozen=True)
class OnuCase:
    model: type[Model]
    action: str
    channel: str
    request: Callable[[World, Any], Any]  # given the ONU
    shows: Callable[[Any, Any], bool]  # did the ONU show?
    name: str

    def __str__(self) -> str:
        return self.name


def _json_serials(response: Any) -> set[str]:
    return {o["serial"] for o in response.json()["items"]} if response.status_code == 200 else set()


ONU_CASES: list[OnuCase] = [
    OnuCase(
        Onu, "view", "ui",
        lambda w, onu: w.client.get("/devices/onus/"),
        lambda onu, r: r.status_code == 200 and onu.serial in r.content.decode(),
        "ONU list",
    ),
    OnuCase(
        Onu, "view", "ui",
        lambda w, onu: w.client.get("/devices/onus/?_export=csv"),
        lambda onu, r: r.status_code == 200
        and onu.serial in b"".join(r.streaming_content).decode(),
        "ONU list export",
    ),
    OnuCase(
        Onu, "view", "ui",
        lambda w, onu: w.client.get(f"/devices/onus/{onu.pk}/"),
        lambda onu, r: r.status_code == 200 and onu.serial in r.content.decode(),
        "ONU page",
    ),
    OnuCase(
        Onu, "view", "ui",
        lambda w, onu: w.client.get(f"/devices/{onu.olt_id}/onus/"),
        lambda onu, r: r.status_code == 200 and onu.serial in r.content.decode(),
        "the OLT page's ONU table",
    ),
    OnuCase(
        Onu, "view", "api",
        lambda w, onu: w.api("GET", "/devices/onus"),
        lambda onu, r: onu.serial in _json_serials(r),
        "ONU list via API",
    ),
]  # fmt: skip


def _olt_onu(group: str) -> Onu:
    olt = Device.objects.create(
        name=f"olt-{group.lower()}", driver="zte_c320", group=CustomerGroup.objects.get(name=group)
    )
    return Onu.objects.create(
        olt=olt, fiber="gpon-olt_1/1/1", number=1, serial=f"ZTEG{group[:4].upper():X<4}0001"[:12]
    )


def _onu_world(*, onu_scope: str | None) -> World:
    CustomerGroupFactory(name="North")
    CustomerGroupFactory(name="South")
    user = UserFactory(username=f"onu-{onu_scope or 'none'}")
    grant(user, Device, ["view"])  # every OLT: the ONUs' own permission must decide
    if onu_scope is not None:
        grant(user, Onu, ["view"], {"olt__group__name": onu_scope})
    client = Client()
    client.force_login(user)
    _token, secret = create_api_token(user=user, name="onu-matrix")
    return World(
        client=client, bearer={"HTTP_AUTHORIZATION": f"Bearer {secret}"}, tariff=None, kind=None
    )


@pytest.mark.parametrize("case", ONU_CASES, ids=str)
def test_onus_of_the_users_group_show(case: OnuCase) -> None:
    world = _onu_world(onu_scope="North")
    onu = _olt_onu("North")
    response = case.request(world, onu)
    assert case.shows(onu, response), (response.status_code, case.name)


@pytest.mark.parametrize("case", ONU_CASES, ids=str)
def test_onus_of_another_group_do_not_show(case: OnuCase) -> None:
    world = _onu_world(onu_scope="North")
    _olt_onu("North")
    onu = _olt_onu("South")
    response = case.request(world, onu)
    assert response.status_code < 500
    assert not case.shows(onu, response), case.name


@pytest.mark.parametrize("case", ONU_CASES, ids=str)
def test_onus_do_not_show_without_the_onu_permission(case: OnuCase) -> None:
    world = _onu_world(onu_scope=None)  # sees every OLT, no ONU permission
    onu = _olt_onu("North")
    response = case.request(world, onu)
    assert response.status_code < 500
    assert not case.shows(onu, response), case.name


#: Model/action pairs no staff request reaches, and why.
NOT_EXPOSED: dict[tuple[str, str], str] = {}


def _system_only(label: str, reason: str, actions: tuple[str, ...] = ACTIONS) -> None:
    for action in actions:
        NOT_EXPOSED[(label, action)] = reason


# Not customer-scoped: permissions on them are model-wide (they have no customer
# to constrain by); tests/accounts/test_permissions.py covers model-wide grants.
for _label in (
    "accounts.objectpermission", "subscriptions.oneoffservice",
    "subscriptions.periodicfee", "subscriptions.billingrun", "gateways.gatewayconfig",
    "gateways.registryimport", "network.vlan", "network.nas",
    "tickets.ticketkind", "notifications.notificationtemplate",
):  # fmt: skip
    _system_only(_label, "no customer, site or group field: model-wide permission only")
# Written only by the system (gateways, the RADIUS server, the worker); staff read them.
for _label in (
    "gateways.gatewayrequestlog", "gateways.paymetransaction", "gateways.cardpaymentintent",
    "aaa.accesschange", "aaa.nasattempt", "notifications.outbox",
):  # fmt: skip
    _system_only(_label, "written by the system only; read through restricted lists")
for _label in ("accounts.site", "customers.customergroup"):
    _system_only(_label, "visible to every staff member in the site world", ("view",))
_system_only("accounts.site", "a new site is outside every site constraint", ("add",))
_system_only("subscriptions.tariff", "a new tariff has no groups yet: model-wide add", ("add",))
_system_only("network.pool", "a new pool has no groups yet: model-wide add", ("add",))
_system_only("network.pool", "the pool form: tests/network (same ObjectEditView as groups)", ("change",))  # fmt: skip
_system_only("contracts.contract", "contracts are never deleted (database trigger)", ("delete",))
_system_only("subscriptions.feeassignment", "staff form only, no API; see tests/subscriptions")
for _action in ("view", "delete"):
    _system_only("customers.customer", "view is granted unconstrained here", (_action,))
_system_only("finance.account", "one per customer, made by the ledger", ("view", "add", "delete"))
_system_only("finance.ledgerentry", "append-only: no change or delete", ("change", "delete"))
_system_only("finance.payment", "payments are reversed, never changed", ("view", "change", "delete"))  # fmt: skip
_system_only("subscriptions.subscription", "read on the customer page", ("view",))
_system_only("customers.customer", "created by staff with model-wide add", ("add",))
_system_only("network.lease", "dynamic leases by the RADIUS server", ("view", "add", "delete"))
_system_only("network.accessbinding", "covered in tests/network/test_bindings.py", ("view", "change", "delete"))  # fmt: skip
_system_only("network.session", "opened by accounting; disconnect is tests/aaa", ACTIONS)
_system_only("tickets.ticket", "covered in tests/tickets", ("view", "change", "delete"))

# Devices are scoped by their group/site, not by a customer; their own
# operations (toggle_port, change_vlan, …) are checked in devices.services.
for _label in (
    "devices.device", "devices.port", "devices.link", "devices.onutemplate",
    "devices.deviceaction",
):  # fmt: skip
    _system_only(_label, "group-scoped, not customer-linked: covered in tests/devices")
_system_only("devices.onu", "written by the OLT refresh only", ("add", "change", "delete"))

# Issue 18's apps.  The registry, legal entities, templates and documents carry
# no customer or site to constrain by (model-wide grants).  A passport and a
# branch hang off one customer by a one-to-one key: cases above.
for _label in (
    "addresses.addressobject", "addresses.garimport", "parties.legalentity",
    "parties.addressreview", "contracts.documenttemplate", "contracts.contractdocument",
):  # fmt: skip
    _system_only(_label, "not linked to one customer by a foreign key: model-wide grants")
_system_only("parties.individualdetails", "read on the customer page: tests/parties/test_passport.py", ("view",))  # fmt: skip
_system_only("parties.individualdetails", "the passport form creates under change", ("add",))
_system_only("parties.individualdetails", "never deleted by staff (SORM keeps them)", ("delete",))
_system_only("parties.branch", "listed on the legal entity's page through restrict(view)", ("view",))  # fmt: skip
_system_only("parties.branch", "no staff request detaches a branch", ("delete",))
for _label in ("sorm.exportrun", "sorm.exportfile", "sorm.datagap"):
    _system_only(_label, "written by the export job only; read through restricted lists")


def test_every_model_and_action_is_classified() -> None:
    every: list[Case | SiteCase | OnuCase] = [*CASES, *SITE_CASES, *ONU_CASES]
    covered = {(c.model._meta.label_lower, c.action) for c in every}
    missing = []
    for model in apps.get_models():
        if not issubclass(model, RestrictedModel):
            continue
        label = model._meta.label_lower
        for action in (*ACTIONS, *CUSTOM_ACTIONS.get(model, [])):
            if (label, action) not in covered and (label, action) not in NOT_EXPOSED:
                missing.append(f"{label}:{action}")
    assert not missing, f"add a matrix case or a NOT_EXPOSED reason for: {missing}"
