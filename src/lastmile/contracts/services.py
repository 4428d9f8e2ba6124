"""Use cases of contracts: create, change state (with the transition table),
the termination cascade to branches, and the hooks from the customers app.

Documents (templates, preview, PDF) are in ``lastmile.contracts.documents``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import structlog
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.contracts.models import (
    TRANSITIONS,
    Contract,
    ContractEvent,
    ContractKind,
    ContractState,
)
from lastmile.core.permissions import require_object_permission
from lastmile.customers.models import Customer
from lastmile.parties.errors import AlreadyExists, DatesMismatch, InvalidValue
from lastmile.parties.models import Branch, LegalEntity

log = structlog.get_logger(__name__)

DEFAULT_TITLE = "Договор на оказание услуг связи"


class TransitionRefused(InvalidValue):
    """The contract's state may not change that way (see ``TRANSITIONS``)."""


def _actor_id(actor: Any) -> int | None:
    return getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None


def _branch_start(customer: Customer) -> dt.date | None:
    """The start date a branch's contracts must have (None: not a branch)."""
    branch = Branch.objects.filter(customer=customer).first()
    if branch is None:
        return None
    main = (
        Contract.objects.filter(legal_entity_id=branch.legal_entity_id, kind=ContractKind.MAIN)
        .exclude(state=ContractState.TERMINATED)
        .order_by("starts_on")
        .first()
    )
    return main.starts_on if main else None


@transaction.atomic
def create_contract(
    *,
    number: str,
    starts_on: dt.date,
    customer: Customer | None = None,
    legal_entity: LegalEntity | None = None,
    kind: str = ContractKind.MAIN,
    signed_on: dt.date | None = None,
    title: str = "",
    state: str = ContractState.DRAFT,
    access_address: Any = None,
    actor: Any = None,
) -> Contract:
    """Add a contract to a customer account or to a legal entity.

    The number is unique per site.  A branch's contract must start on the day
    its legal entity's contract starts."""
    number = number.strip()
    if not number:
        raise InvalidValue(_("This field is required."), field="number")
    if (customer is None) == (legal_entity is None):
        raise InvalidValue(_("A contract belongs to a customer or to a legal entity."))
    if state not in (ContractState.DRAFT, ContractState.ACTIVE):
        raise InvalidValue(_("A new contract is a draft or active."), field="state")
    if signed_on and signed_on > starts_on + dt.timedelta(days=366):
        raise InvalidValue(_("The signing date is far after the start."), field="signed_on")
    site = customer.site if customer is not None else legal_entity.site  # type: ignore[union-attr]
    if customer is not None:
        required = _branch_start(customer)
        if required is not None and required != starts_on:
            raise DatesMismatch(
                _(
                    "This customer is a branch: its contracts must start on %(date)s, "
                    "the day its legal entity's contract starts."
                )
                % {"date": required.strftime("%d.%m.%Y")},
                field="starts_on",
            )
    if Contract.objects.filter(site=site, number=number).exists():
        raise AlreadyExists(
            _("Contract number “%(number)s” is already used.") % {"number": number},
            field="number",
        )
    contract = Contract(
        number=number,
        site=site,
        customer=customer,
        legal_entity=legal_entity,
        kind=kind,
        state=state,
        title=title.strip() or DEFAULT_TITLE,
        signed_on=signed_on,
        starts_on=starts_on,
        access_address=access_address,
    )
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError as exc:
        raise AlreadyExists(
            _("Contract number “%(number)s” is already used.") % {"number": number},
            field="number",
        ) from exc
    require_object_permission(actor, contract, "add")
    ContractEvent.objects.create(
        contract=contract,
        from_state="",
        to_state=state,
        on_date=starts_on,
        actor_id=_actor_id(actor),
    )
    log.info("contract.created", contract_id=contract.pk, number=number)
    return contract


def _move(contract: Contract, to_state: str, on_date: dt.date, actor: Any, reason: str) -> bool:
    """One checked state change with its event; False when already there."""
    old = contract.state
    if old == to_state:
        return False
    if to_state not in TRANSITIONS[ContractState(old)]:
        raise TransitionRefused(
            _("A contract cannot go from “%(old)s” to “%(new)s”.")
            % {
                "old": ContractState(old).label,
                "new": ContractState(to_state).label,
            },
            field="state",
        )
    changes: dict[str, Any] = {"state": to_state}
    if to_state == ContractState.TERMINATED:
        if on_date < contract.starts_on:
            raise InvalidValue(
                _("The contract cannot end before it starts (%(date)s).")
                % {"date": contract.starts_on.strftime("%d.%m.%Y")},
                field="on_date",
            )
        changes["ends_on"] = on_date
    # Conditional update: a concurrent change of the same contract wins once.
    if not Contract.objects.filter(pk=contract.pk, state=old).update(**changes):
        contract.refresh_from_db()
        raise TransitionRefused(_("The contract was changed meanwhile: reload the page."))
    for name, value in changes.items():
        setattr(contract, name, value)
    ContractEvent.objects.create(
        contract=contract,
        from_state=old,
        to_state=to_state,
        on_date=on_date,
        actor_id=_actor_id(actor),
        reason=reason[:255],
    )
    log.info("contract.state_changed", contract_id=contract.pk, old=old, new=to_state)
    return True


@transaction.atomic
def change_state(
    *,
    contract: Contract,
    to_state: str,
    on_date: dt.date | None = None,
    actor: Any = None,
    reason: str = "",
) -> list[Contract]:
    """Move a contract to ``to_state``; return every contract that changed.

    Terminating a legal entity's contract terminates the live contracts of
    all its branches on the same date (never before a branch contract's start)."""
    on_date = on_date or timezone.localdate()
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    require_object_permission(actor, locked, "change")
    changed = [locked] if _move(locked, to_state, on_date, actor, reason) else []
    if (
        changed
        and to_state == ContractState.TERMINATED
        and locked.legal_entity_id is not None
        and locked.kind == ContractKind.MAIN
    ):
        changed += _terminate_branches(locked, on_date, actor)
    contract.refresh_from_db()
    return changed


def _terminate_branches(contract: Contract, on_date: dt.date, actor: Any) -> list[Contract]:
    branch_ids = Branch.objects.filter(legal_entity_id=contract.legal_entity_id).values("customer")
    live = (
        Contract.objects.select_for_update()
        .filter(customer__in=branch_ids)
        .exclude(state=ContractState.TERMINATED)
        .order_by("pk")
    )
    reason = _("the legal entity's contract %(number)s ended") % {"number": contract.number}
    ended = []
    for branch_contract in live:
        _move(
            branch_contract,
            ContractState.TERMINATED,
            max(on_date, branch_contract.starts_on),
            actor,
            reason,
        )
        ended.append(branch_contract)
    return ended


def terminate_customer_contracts(
    *, customer: Customer, on_date: dt.date | None = None, actor: Any = None, reason: str = ""
) -> list[Contract]:
    """End every live contract of the customer (in the caller's transaction)."""
    on_date = on_date or timezone.localdate()
    live = (
        Contract.objects.select_for_update()
        .filter(customer=customer)
        .exclude(state=ContractState.TERMINATED)
        .order_by("pk")
    )
    ended = []
    for contract in live:
        _move(contract, ContractState.TERMINATED, max(on_date, contract.starts_on), actor, reason)
        ended.append(contract)
    return ended


# --- hooks from the customers app (registered in ContractsConfig.ready) ---------
def on_customer_deactivated(*, customer: Customer, actor: Any = None, reason: str = "") -> None:
    """A disabled subscriber's contracts end today (SORM gets the end date)."""
    terminate_customer_contracts(
        customer=customer, actor=actor, reason=reason or _("the customer was disabled")
    )


def on_customer_created(*, customer: Customer) -> None:
    """The customer's ``contract_number`` becomes its main contract (active from today).

    A number already used by another contract of the site is left alone (the
    hook must not fail the customer's creation); staff see no main contract."""
    if not customer.contract_number:
        return
    created = Contract.objects.bulk_create(
        [
            Contract(
                number=customer.contract_number,
                site=customer.site,
                customer=customer,
                kind=ContractKind.MAIN,
                state=ContractState.ACTIVE if customer.is_active else ContractState.DRAFT,
                title=DEFAULT_TITLE,
                signed_on=timezone.localdate(),
                starts_on=timezone.localdate(),
            )
        ],
        ignore_conflicts=True,
    )
    contract = Contract.objects.filter(customer=customer, number=customer.contract_number).first()
    if contract is None:
        log.warning("contract.number_taken", customer_id=customer.pk)
        return
    if created:
        ContractEvent.objects.get_or_create(
            contract=contract,
            from_state="",
            defaults={"to_state": contract.state, "on_date": contract.starts_on},
        )
