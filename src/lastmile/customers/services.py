"""Use cases of the customers app: the only code that changes customers,
customer groups, extra fields and their values.

Every function takes keyword arguments, runs in one transaction and raises a
``lastmile.customers.errors.CustomersError`` with a user-fit message.
``actor`` is the staff member acting (``None`` for the system: demo data,
jobs); when given, the saved object must stay within what the actor may
change, so a user limited to one site cannot create or move a customer
into another.  Updates write only the columns that changed; ``updated_at``
is stamped by a database trigger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from typing import Any, TypeVar

import pghistory
import structlog
from django.db import models, transaction
from django.utils.translation import gettext as _

from lastmile.accounts.models import Site
from lastmile.core.actor import Actor
from lastmile.core.hooks import (
    ACCESS_CHANGED,
    CUSTOMER_CREATED,
    CUSTOMER_DEACTIVATED,
    AccessReason,
)
from lastmile.core.permissions import is_staff_user
from lastmile.customers import passwords, validation

# Groups and extra field definitions live in ``catalogue``; importable from here.
from lastmile.customers.catalogue import EXTRA_FIELD_FIELDS as EXTRA_FIELD_FIELDS
from lastmile.customers.catalogue import GROUP_FIELDS as GROUP_FIELDS
from lastmile.customers.catalogue import create_extra_field as create_extra_field
from lastmile.customers.catalogue import create_group as create_group
from lastmile.customers.catalogue import update_extra_field as update_extra_field
from lastmile.customers.catalogue import update_group as update_group
from lastmile.customers.errors import (
    AlreadyExists,
    ExtraFieldNotApplicable,
    InvalidValue,
)
from lastmile.customers.models import Customer, CustomerGroup, ExtraField, ExtraFieldValue
from lastmile.customers.writes import (
    _check_allowed,
    _check_site,
    _insert,
    _same,
    _save_changes,
    _unknown,
)

log = structlog.get_logger("lastmile.customers")

_M = TypeVar("_M", bound=models.Model)

# Fields staff may set on a customer (secrets have their own service).
CUSTOMER_FIELDS = (
    "login",
    "contract_number",
    "full_name",
    "phones",
    "email",
    "locality",
    "street",
    "house",
    "apartment",
    "address_object",
    "group",
    "site",
    "is_active",
    "description",
    "simultaneous_use",
)


# --- customers -----------------------------------------------------------------
def _clean_customer(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    cleaners = {
        "login": validation.clean_login,
        "contract_number": validation.clean_contract_number,
        "phones": validation.clean_phones,
        "email": validation.clean_email,
    }
    for name, value in values.items():
        if name in cleaners:
            cleaned[name] = cleaners[name](value)
        elif isinstance(value, str):
            cleaned[name] = value.strip()
    return cleaned


def _check_customer_unique(
    customer: Customer, values: Mapping[str, Any], actor: Actor | None
) -> None:
    """Logins and contract numbers are unique across every site (RADIUS needs one
    namespace).  A clash with a customer the actor may see says so; a clash with
    one outside the actor's scope gets a neutral refusal that neither names nor
    confirms that customer (no existence oracle across branches)."""
    others = Customer.objects.exclude(pk=customer.pk) if customer.pk else Customer.objects.all()
    login, number = values.get("login"), values.get("contract_number")
    if login is not None:
        _refuse_taken(others.filter(login__iexact=login), actor, "login", lambda: _(
            "A customer with login “%(login)s” already exists.") % {"login": login})  # fmt: skip
    if number is not None:
        _refuse_taken(others.filter(contract_number=number), actor, "contract_number", lambda: _(
            "Contract number “%(number)s” is already used.") % {"number": number})  # fmt: skip


def _refuse_taken(
    holders: models.QuerySet[Customer], actor: Actor | None, field: str, message: Callable[[], str]
) -> None:
    if not holders.exists():
        return
    scoped = is_staff_user(actor) and not getattr(actor, "is_superuser", False)
    if scoped and not holders.restrict(actor, "view").exists():  # type: ignore[attr-defined]
        raise InvalidValue(_("This value cannot be used. Choose another one."), field=field)
    raise AlreadyExists(message(), field=field)


@transaction.atomic
def create_customer(
    *,
    login: str,
    contract_number: str,
    actor: Actor | None = None,
    full_name: str = "",
    phones: Iterable[str] = (),
    email: str = "",
    locality: str = "",
    street: str = "",
    house: str = "",
    apartment: str = "",
    address_object: Any = None,
    group: CustomerGroup | None = None,
    site: Site | None = None,
    is_active: bool = True,
    description: str = "",
    simultaneous_use: int | None = None,
    pppoe_password: str = "",
    cabinet_password: str = "",
) -> Customer:
    """Create a customer, optionally with the PPPoE and cabinet passwords.

    The login is unique case-insensitively (a NAS may not care about case);
    the contract number is unique.  ``site`` only when sites are enabled.
    ``address_object``: the registry object staff picked (the typed address
    parts are kept as typed either way).
    """
    values = _clean_customer(
        {
            "login": login,
            "contract_number": contract_number,
            "full_name": full_name,
            "phones": list(phones),
            "email": email,
            "locality": locality,
            "street": street,
            "house": house,
            "apartment": apartment,
            "description": description,
        }
    )
    _check_site(site)
    customer = Customer(
        group=group,
        site=site,
        is_active=is_active,
        address_object=address_object,
        simultaneous_use=simultaneous_use,
        **values,
    )
    _check_customer_unique(customer, values, actor)
    if pppoe_password:
        customer.set_pppoe_secret(validation.clean_pppoe_secret(pppoe_password))
    if cabinet_password:
        customer.set_cabinet_password(_clean_cabinet_password(customer, cabinet_password))
    _insert(customer, taken=_("This login or contract number is already used."), field="login")
    _check_allowed(customer, actor, "add")
    log.info("customer.created", customer_id=customer.pk, login=customer.login)
    CUSTOMER_CREATED.fire(customer=customer)
    return customer


@transaction.atomic
def update_customer(
    *, customer: Customer, changes: Mapping[str, Any], actor: Actor | None = None
) -> list[str]:
    """Change the given fields (PATCH semantics) and return the names of those
    that actually changed; only those columns are written."""
    _unknown(changes, CUSTOMER_FIELDS)
    values = _clean_customer(changes)
    if "site" in values and not _same(customer, "site", values["site"]):
        _check_site(values["site"])
    _check_customer_unique(customer, values, actor)
    changed = _save_changes(customer, values, actor=actor)
    if changed:
        log.info("customer.updated", customer_id=customer.pk, fields=changed)
    return changed


@transaction.atomic
def set_customer_passwords(
    *,
    customer: Customer,
    pppoe_password: str | None = None,
    cabinet_password: str | None = None,
    actor: Actor | None = None,
) -> None:
    """Set the PPPoE password (stored encrypted) and/or the cabinet password
    (stored hashed).  ``None`` leaves a password as it is.  The cabinet password
    is set by ``passwords.set_cabinet_password``, the one way: the subscriber's own
    validators, and every session and API token of the subscriber ends."""
    _check_allowed(customer, actor, "change")
    update_fields = []
    if pppoe_password is not None:
        customer.set_pppoe_secret(validation.clean_pppoe_secret(pppoe_password))
        update_fields.append("pppoe_secret_encrypted")
    if cabinet_password is not None:
        passwords.set_cabinet_password(customer=customer, new=cabinet_password, via="staff")
        update_fields.append("cabinet_password")
    if update_fields:
        customer.save(update_fields=update_fields)
        customer.refresh_from_db(fields=["updated_at"])
        log.info("customer.passwords_set", customer_id=customer.pk, which=update_fields)


def _clean_cabinet_password(customer: Customer, password: str) -> str:
    passwords.validate_cabinet_password(customer, password)
    return password


def reveal_pppoe_secret(*, customer: Customer, actor: Actor | None) -> str:
    """The clear PPPoE password, for staff who may change the customer.

    A deliberate action: it is logged (who, whose), the secret itself never.
    """
    _check_allowed(customer, actor, "change")
    log.info("customer.pppoe_secret_revealed", customer_id=customer.pk)
    return customer.get_pppoe_secret()


def _set_active(customer: Customer, is_active: bool, actor: Actor | None, reason: str = "") -> bool:
    _check_allowed(customer, actor, "change")
    # Conditional update: a repeat (or a concurrent flip) changes nothing.  The
    # staff member's reason rides in the history context, shown with the change.
    with pghistory.context(reason=reason) if reason else nullcontext():
        flipped = Customer.objects.filter(pk=customer.pk, is_active=not is_active).update(
            is_active=is_active
        )
    customer.refresh_from_db(fields=["is_active", "updated_at"])
    if flipped:
        log.info(
            "customer.active_changed",
            customer_id=customer.pk,
            is_active=is_active,
            reason=reason,
        )
        if not is_active:
            CUSTOMER_DEACTIVATED.fire(customer=customer, actor=actor, reason=reason)
        access = AccessReason.UNBLOCKED if is_active else AccessReason.BLOCKED
        ACCESS_CHANGED.fire(customer_id=customer.pk, reason=access)
    return bool(flipped)


@transaction.atomic
def deactivate_customer(
    *, customer: Customer, actor: Actor | None = None, reason: str = ""
) -> bool:
    """Block the customer's access; return whether it was active (idempotent).
    ``reason`` (staff's words) goes to the log with the change."""
    return _set_active(customer, False, actor, reason)


@transaction.atomic
def activate_customer(*, customer: Customer, actor: Actor | None = None, reason: str = "") -> bool:
    """Allow the customer's access again; return whether it was inactive (idempotent)."""
    return _set_active(customer, True, actor, reason)


# --- extra field values --------------------------------------------------------
@transaction.atomic
def set_extra_values(
    *, customer: Customer, values: Mapping[int, str], actor: Actor | None = None
) -> dict[int, str]:
    """Save extra field values (field id → text); return the canonical values.

    Each value is checked against its field's type.  An existing value is
    updated in place (an upsert, so two saves at once never collide on the
    unique (customer, field) constraint); an empty value removes it.
    """
    _check_allowed(customer, actor, "change")
    fields = {f.pk: f for f in ExtraField.objects.filter(pk__in=list(values))}
    cleaned: dict[int, str] = {}
    for field_id, raw in values.items():
        field = fields.get(field_id)
        if field is None:
            raise InvalidValue(_("There is no extra field %(id)s.") % {"id": field_id})
        if field.group_id is not None and field.group_id != customer.group_id:
            raise ExtraFieldNotApplicable(
                _("“%(field)s” belongs to another customer group.") % {"field": field.name},
                field=f"extra_{field_id}",
            )
        cleaned[field_id] = validation.clean_extra_value(field, raw)
    existing = dict(
        ExtraFieldValue.objects.filter(customer=customer, field_id__in=list(cleaned)).values_list(
            "field_id", "value"
        )
    )
    to_save = [
        ExtraFieldValue(customer=customer, field_id=fid, value=value)
        for fid, value in cleaned.items()
        if value and existing.get(fid) != value
    ]
    to_clear = [fid for fid, value in cleaned.items() if not value and fid in existing]
    if to_save:
        ExtraFieldValue.objects.bulk_create(
            to_save,
            update_conflicts=True,
            unique_fields=["customer", "field"],
            update_fields=["value"],
        )
    if to_clear:
        ExtraFieldValue.objects.filter(customer=customer, field_id__in=to_clear).delete()
    if to_save or to_clear:
        log.info(
            "customer.extra_values_set",
            customer_id=customer.pk,
            fields=sorted(v.field_id for v in to_save) + sorted(to_clear),
        )
    return cleaned
