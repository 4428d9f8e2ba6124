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
from django.conf import settings
from django.db import IntegrityError, models, transaction
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
from lastmile.customers.errors import (
    AlreadyExists,
    ExtraFieldNotApplicable,
    InvalidValue,
    NotAllowed,
)
from lastmile.customers.models import Customer, CustomerGroup, ExtraField, ExtraFieldValue

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
    "group",
    "site",
    "is_active",
    "description",
)
GROUP_FIELDS = ("name", "site", "description")
EXTRA_FIELD_FIELDS = ("name", "kind", "group", "choices", "is_required", "position")


# --- helpers -------------------------------------------------------------------
def _check_allowed(obj: models.Model, actor: Actor | None, action: str) -> None:
    """The object (as saved in this transaction) must be within the actor's permission."""
    if actor is None:
        return
    manager = type(obj)._default_manager
    if not manager.restrict(actor, action).filter(pk=obj.pk).exists():  # type: ignore[attr-defined]
        raise NotAllowed()


def _check_site(site: Site | None) -> None:
    if site is not None and not settings.LASTMILE.sites_enabled:
        raise InvalidValue(
            _("Sites are disabled on this installation (LASTMILE_SITES_ENABLED)."), field="site"
        )


def _same(obj: models.Model, name: str, value: Any) -> bool:
    field = obj._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        return bool(getattr(obj, field.attname) == (value.pk if value is not None else None))
    return bool(getattr(obj, name) == value)


def _save_changes(obj: _M, changes: Mapping[str, Any], *, actor: Actor | None) -> list[str]:
    """Set and save only the fields whose value differs; return their names.

    The caller is inside a transaction; on an error the in-memory object is
    restored, so a form can be shown again with the old values.
    """
    changed = [name for name, value in changes.items() if not _same(obj, name, value)]
    if not changed:
        return []
    before = {name: getattr(obj, name) for name in changed}
    for name in changed:
        setattr(obj, name, changes[name])
    try:
        with transaction.atomic():
            obj.save(update_fields=changed)
            _check_allowed(obj, actor, "change")
    except BaseException:
        for name, value in before.items():
            setattr(obj, name, value)
        raise
    obj.refresh_from_db(fields=["updated_at"])
    return changed


def _unknown(changes: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"cannot change {', '.join(sorted(unknown))}")


def _insert(obj: models.Model, *, taken: str, field: str) -> None:
    """Insert ``obj``; a unique violation the pre-check missed (a race) is AlreadyExists."""
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError as exc:
        raise AlreadyExists(taken, field=field) from exc


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


def _check_customer_unique(customer: Customer, values: Mapping[str, Any], actor: Any) -> None:
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
    holders: models.QuerySet[Customer], actor: Any, field: str, message: Callable[[], str]
) -> None:
    if not holders.exists():
        return
    scoped = is_staff_user(actor) and not actor.is_superuser
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
    group: CustomerGroup | None = None,
    site: Site | None = None,
    is_active: bool = True,
    description: str = "",
    pppoe_password: str = "",
    cabinet_password: str = "",
) -> Customer:
    """Create a customer, optionally with the PPPoE and cabinet passwords.

    The login is unique case-insensitively (a NAS may not care about case);
    the contract number is unique.  ``site`` only when sites are enabled.
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
    customer = Customer(group=group, site=site, is_active=is_active, **values)
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


# --- customer groups -----------------------------------------------------------
def _check_group_name(group: CustomerGroup, name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidValue(_("The group needs a name."), field="name")
    if CustomerGroup.objects.exclude(pk=group.pk).filter(name__iexact=name).exists():
        raise AlreadyExists(
            _("A group named “%(name)s” already exists.") % {"name": name}, field="name"
        )
    return name


@transaction.atomic
def create_group(
    *, name: str, site: Site | None = None, description: str = "", actor: Actor | None = None
) -> CustomerGroup:
    """Create a customer group (names are unique, case-insensitively)."""
    _check_site(site)
    group = CustomerGroup(site=site, description=description.strip())
    group.name = _check_group_name(group, name)
    _insert(group, taken=_("A group with this name already exists."), field="name")
    _check_allowed(group, actor, "add")
    log.info("customer_group.created", group_id=group.pk)
    return group


@transaction.atomic
def update_group(
    *, group: CustomerGroup, changes: Mapping[str, Any], actor: Actor | None = None
) -> list[str]:
    """Change the given fields of a group; return the names of those that changed."""
    _unknown(changes, GROUP_FIELDS)
    values = dict(changes)
    if "name" in values:
        values["name"] = _check_group_name(group, values["name"])
    if "site" in values and not _same(group, "site", values["site"]):
        _check_site(values["site"])
    if "description" in values:
        values["description"] = values["description"].strip()
    return _save_changes(group, values, actor=actor)


# --- extra field definitions ---------------------------------------------------
def _check_extra_field(field: ExtraField, values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    name = values.get("name", field.name).strip()
    if not name:
        raise InvalidValue(_("The field needs a name."), field="name")
    group = values.get("group", field.group)
    same_name = ExtraField.objects.exclude(pk=field.pk).filter(name__iexact=name, group=group)
    if same_name.exists():
        raise AlreadyExists(
            _("This group already has a field named “%(name)s”.") % {"name": name}, field="name"
        )
    kind = values.get("kind", field.kind)
    if kind not in ExtraField.Kind.values:
        raise InvalidValue(_("Unknown field type “%(kind)s”.") % {"kind": kind}, field="kind")
    cleaned["name"] = name
    # A field that stops being a choice field drops its choices.
    default_choices = field.choices if kind == ExtraField.Kind.CHOICE else []
    cleaned["choices"] = validation.clean_choices(kind, values.get("choices", default_choices))
    return cleaned


def _check_existing_values(field: ExtraField) -> None:
    """After a change of type, choices or group, every stored value must still fit."""
    values = ExtraFieldValue.objects.filter(field=field).select_related("customer")
    for value in values.iterator(chunk_size=2000):
        if field.group_id is not None and value.customer.group_id != field.group_id:
            raise InvalidValue(
                _("Customer %(login)s outside the group has a value of this field; clear it first.")
                % {"login": value.customer.login},
                field="group",
            )
        try:
            validation.clean_extra_value(field, value.value)
        except InvalidValue as exc:
            raise InvalidValue(
                _("A stored value does not fit the new definition (customer %(login)s): %(error)s")
                % {"login": value.customer.login, "error": exc},
                field="kind",
            ) from exc


@transaction.atomic
def create_extra_field(
    *,
    name: str,
    kind: str = ExtraField.Kind.TEXT,
    group: CustomerGroup | None = None,
    choices: Iterable[str] = (),
    is_required: bool = False,
    position: int = 0,
    actor: Actor | None = None,
) -> ExtraField:
    """Define an extra field for one customer group (``group=None``: every group)."""
    field = ExtraField(group=group, kind=kind, is_required=is_required, position=position)
    values = _check_extra_field(field, {"name": name, "kind": kind, "choices": list(choices)})
    field.name, field.choices = values["name"], values["choices"]
    _insert(field, taken=_("This group already has a field with this name."), field="name")
    _check_allowed(field, actor, "add")
    log.info("extra_field.created", extra_field_id=field.pk, kind=kind)
    return field


@transaction.atomic
def update_extra_field(
    *, field: ExtraField, changes: Mapping[str, Any], actor: Actor | None = None
) -> list[str]:
    """Change a field definition; refused when stored values would no longer fit."""
    _unknown(changes, EXTRA_FIELD_FIELDS)
    values = _check_extra_field(field, changes)
    changed = _save_changes(field, values, actor=actor)
    if {"kind", "choices", "group"} & set(changed):
        _check_existing_values(field)
    return changed
