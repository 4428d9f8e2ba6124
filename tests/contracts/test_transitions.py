"""Contract states: the transition table, history, cascade to branches, deactivation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from lastmile.contracts import services
from lastmile.contracts.models import TRANSITIONS, Contract, ContractEvent, ContractState
from lastmile.contracts.services import TransitionRefused
from lastmile.customers import services as customers
from lastmile.parties import services as parties
from lastmile.parties.errors import AlreadyExists, InvalidValue
from tests.factories import CustomerFactory, SiteFactory, UserFactory
from tests.parties.helpers import legal_with_contract

pytestmark = pytest.mark.django_db

START = dt.date(2024, 1, 10)

ALL = [s.value for s in ContractState]
ALLOWED = [(a, b) for a in ALL for b in ALL if b in TRANSITIONS[a]]
REFUSED = [(a, b) for a in ALL for b in ALL if a != b and b not in TRANSITIONS[a]]


def _contract_in(state: str) -> Contract:
    contract = services.create_contract(
        number=f"N-{state}-{Contract.objects.count()}", starts_on=START, customer=CustomerFactory()
    )
    path = {
        "draft": [],
        "active": ["active"],
        "suspended": ["active", "suspended"],
        "terminated": ["terminated"],
    }[state]
    for step in path:
        services.change_state(contract=contract, to_state=step, on_date=START)
    return contract


def test_the_table_itself():
    assert TRANSITIONS["draft"] == {"active", "terminated"}
    assert TRANSITIONS["active"] == {"suspended", "terminated"}
    assert TRANSITIONS["suspended"] == {"active", "terminated"}
    assert TRANSITIONS["terminated"] == frozenset()


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_allowed_transitions_happen_and_are_recorded(old, new):
    contract = _contract_in(old)
    actor = UserFactory(is_superuser=True)

    changed = services.change_state(
        contract=contract, to_state=new, on_date=dt.date(2024, 5, 1), actor=actor, reason="test"
    )

    assert [c.pk for c in changed] == [contract.pk]
    assert contract.state == new
    event = ContractEvent.objects.filter(contract=contract).last()
    assert event is not None
    assert (event.from_state, event.to_state, event.actor, event.reason) == (
        old,
        new,
        actor,
        "test",
    )
    if new == "terminated":
        assert contract.ends_on == dt.date(2024, 5, 1)


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_refused_transitions_change_nothing(old, new):
    contract = _contract_in(old)
    events = ContractEvent.objects.filter(contract=contract).count()

    with pytest.raises(TransitionRefused, match="cannot go from"):
        services.change_state(contract=contract, to_state=new)

    contract.refresh_from_db()
    assert contract.state == old
    assert ContractEvent.objects.filter(contract=contract).count() == events


def test_termination_before_the_start_is_refused():
    contract = _contract_in("active")
    with pytest.raises(InvalidValue, match="cannot end before it starts"):
        services.change_state(contract=contract, to_state="terminated", on_date=dt.date(2023, 1, 1))


def test_database_refuses_terminated_without_end_date():
    contract = _contract_in("active")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(state="terminated")


def test_number_is_unique_per_site_not_globally():
    site_a, site_b = SiteFactory(), SiteFactory()
    a = CustomerFactory(site=site_a)
    services.create_contract(number="77", starts_on=START, customer=a)
    services.create_contract(number="77", starts_on=START, customer=CustomerFactory(site=site_b))
    with pytest.raises(AlreadyExists, match="already used"):
        services.create_contract(
            number="77", starts_on=START, customer=CustomerFactory(site=site_a)
        )
    services.create_contract(number="77", starts_on=START, customer=CustomerFactory())
    with pytest.raises(AlreadyExists):
        services.create_contract(number="77", starts_on=START, customer=CustomerFactory())


def test_terminating_the_legal_entity_contract_ends_its_branches():
    entity, main = legal_with_contract(starts_on=START)
    branches = [CustomerFactory() for _ in range(2)]
    branch_contracts = []
    for n, customer in enumerate(branches):
        parties.attach_branch(customer=customer, legal_entity=entity)
        branch_contracts.append(
            services.create_contract(
                number=f"B-{n}", starts_on=START, customer=customer, state="active"
            )
        )
    outsider = services.create_contract(
        number="X", starts_on=START, customer=CustomerFactory(), state="active"
    )

    changed = services.change_state(
        contract=main, to_state="terminated", on_date=dt.date(2024, 6, 30)
    )

    assert {c.pk for c in changed} == {main.pk, *(c.pk for c in branch_contracts)}
    for contract in branch_contracts:
        contract.refresh_from_db()
        assert contract.state == "terminated"
        assert contract.ends_on == dt.date(2024, 6, 30)
        last = contract.events.last()
        assert last is not None
        assert "L-1" in last.reason
    outsider.refresh_from_db()
    assert outsider.state == "active"


def test_disabling_a_customer_ends_its_contracts():
    customer = customers.create_customer(login="gone", contract_number="D-1")
    main = Contract.objects.get(customer=customer)
    assert (main.number, main.kind, main.state) == ("D-1", "main", "active")
    extra = services.create_contract(
        number="D-1-TV", kind="iptv", starts_on=main.starts_on, customer=customer, state="active"
    )

    customers.deactivate_customer(customer=customer, reason="moved away")

    for contract in (main, extra):
        contract.refresh_from_db()
        assert contract.state == "terminated"
        assert contract.ends_on is not None
    last = main.events.last()
    assert last is not None
    assert last.reason == "moved away"
    # A repeat changes nothing (and fails nothing).
    assert customers.deactivate_customer(customer=customer) is False


def test_customer_contract_number_becomes_its_main_contract():
    customer = customers.create_customer(login="newbie", contract_number="N-42")
    main = Contract.objects.main_for(customer)
    assert main is not None
    assert main.number == "N-42"


def test_database_keeps_contract_history():
    contract = _contract_in("active")
    for change in ({"number": "OTHER"}, {"starts_on": dt.date(2020, 1, 1)}):
        with pytest.raises(DatabaseError), transaction.atomic():
            Contract.objects.filter(pk=contract.pk).update(**change)
    with pytest.raises(DatabaseError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        ContractEvent.objects.filter(contract=contract).update(reason="rewritten")
    services.change_state(contract=contract, to_state="terminated", on_date=START)
    with pytest.raises(DatabaseError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(state="active", ends_on=None)
