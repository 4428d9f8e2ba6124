"""Use cases of parties: passports, legal entities and their branches.

Each function is one transaction and raises a ``lastmile.parties.errors``
error whose text the UI shows next to the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import structlog
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.core.permissions import require_object_permission
from lastmile.customers.models import Customer
from lastmile.parties import validators
from lastmile.parties.errors import AlreadyExists, DatesMismatch, InvalidValue
from lastmile.parties.models import Branch, IndividualDetails, LegalEntity, LegalKind, Passport

log = structlog.get_logger(__name__)

LEGAL_FIELDS = (
    "kind",
    "full_name",
    "short_name",
    "inn",
    "kpp",
    "ogrn",
    "bank_name",
    "bik",
    "account",
    "correspondent_account",
    "legal_address",
    "legal_address_text",
    "actual_address",
    "actual_address_text",
    "postal_address",
    "postal_address_text",
    "responsible_last_name",
    "responsible_first_name",
    "responsible_patronymic",
    "responsible_position",
    "responsible_phone",
    "phone",
    "email",
    "site",
    "is_active",
)


def _check_allowed(obj: models.Model, actor: Any, action: str) -> None:
    """The service-layer check of every write (403 from the UI and the API alike)."""
    require_object_permission(actor, obj, action)


def _run(check: Any, *args: Any, field: str, **kwargs: Any) -> None:
    try:
        check(*args, **kwargs)
    except ValidationError as exc:
        raise InvalidValue(" ".join(exc.messages), field=field) from exc


def clean_legal_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Strip, then check every requisite with its control digits (first error wins)."""
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    entrepreneur = cleaned.get("kind") == LegalKind.ENTREPRENEUR
    for name in ("full_name", "short_name", "responsible_last_name", "responsible_first_name"):
        if not cleaned.get(name):
            raise InvalidValue(_("This field is required."), field=name)
    _run(validators.check_inn, cleaned.get("inn", ""), entrepreneur=entrepreneur, field="inn")
    _run(validators.check_ogrn, cleaned.get("ogrn", ""), entrepreneur=entrepreneur, field="ogrn")
    if entrepreneur:
        cleaned["kpp"] = ""
    else:
        _run(validators.check_kpp, cleaned.get("kpp", ""), field="kpp")
    bik = cleaned.get("bik", "")
    if bik or cleaned.get("account") or cleaned.get("correspondent_account"):
        _run(validators.check_bik, bik, field="bik")
        _run(validators.check_account, cleaned.get("account", ""), bik, field="account")
        _run(
            validators.check_correspondent_account,
            cleaned.get("correspondent_account", ""),
            bik,
            field="correspondent_account",
        )
    return cleaned


def _save_legal(entity: LegalEntity, *, taken_message: str) -> None:
    try:
        with transaction.atomic():
            entity.save()
    except IntegrityError as exc:
        raise AlreadyExists(taken_message, field="inn") from exc


@transaction.atomic
def create_legal_entity(*, actor: Any = None, **values: Any) -> LegalEntity:
    """Register an organisation (or an individual entrepreneur) with checked requisites."""
    unknown = set(values) - set(LEGAL_FIELDS)
    if unknown:
        raise InvalidValue(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    cleaned = clean_legal_values(values)
    if LegalEntity.objects.filter(inn=cleaned["inn"]).exists():
        raise AlreadyExists(_("A legal entity with this INN already exists."), field="inn")
    entity = LegalEntity(**cleaned)
    _save_legal(entity, taken_message=_("A legal entity with this INN already exists."))
    _check_allowed(entity, actor, "add")
    log.info("legal_entity.created", legal_entity_id=entity.pk, inn=entity.inn)
    return entity


@transaction.atomic
def update_legal_entity(
    *, legal_entity: LegalEntity, changes: Mapping[str, Any], actor: Any = None
) -> LegalEntity:
    """Change requisites; every value is checked again as a whole."""
    unknown = set(changes) - set(LEGAL_FIELDS)
    if unknown:
        raise InvalidValue(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    _check_allowed(legal_entity, actor, "change")
    current = {name: getattr(legal_entity, name) for name in LEGAL_FIELDS}
    cleaned = clean_legal_values({**current, **changes})
    if LegalEntity.objects.filter(inn=cleaned["inn"]).exclude(pk=legal_entity.pk).exists():
        raise AlreadyExists(_("A legal entity with this INN already exists."), field="inn")
    for name, value in cleaned.items():
        setattr(legal_entity, name, value)
    _save_legal(legal_entity, taken_message=_("A legal entity with this INN already exists."))
    _check_allowed(legal_entity, actor, "change")
    return legal_entity


def _clean_passport(passport: Passport, today: dt.date) -> Passport:
    series = "".join(passport.series.split())
    number = "".join(passport.number.split())
    if series and not series.isdigit():
        raise InvalidValue(_("The passport series is digits only."), field="series")
    if number and not number.isdigit():
        raise InvalidValue(_("The passport number is digits only."), field="number")
    if passport.unit_code:
        _run(validators.check_unit_code, passport.unit_code.strip(), field="unit_code")
    if passport.birth_date and passport.birth_date > today:
        raise InvalidValue(_("The birth date is in the future."), field="birth_date")
    if passport.issued_on and passport.issued_on > today:
        raise InvalidValue(_("The issue date is in the future."), field="issued_on")
    if passport.issued_on and passport.birth_date and passport.issued_on < passport.birth_date:
        raise InvalidValue(_("The passport was issued before the birth date."), field="issued_on")
    return Passport(
        series=series,
        number=number,
        issued_by=passport.issued_by.strip(),
        issued_on=passport.issued_on,
        unit_code=passport.unit_code.strip(),
        birth_date=passport.birth_date,
    )


@transaction.atomic
def save_individual(
    *,
    customer: Customer,
    last_name: str = "",
    first_name: str = "",
    patronymic: str = "",
    passport: Passport | None = None,
    registration_address: Any = None,
    registration_address_text: str = "",
    actor: Any = None,
) -> IndividualDetails:
    """Store a person's name parts, passport and birth date (encrypted at rest).

    Needs the "change" permission on passport details (or none when ``actor``
    is None: a system job)."""
    details = IndividualDetails.objects.filter(customer=customer).first()
    details = details or IndividualDetails(customer=customer)
    details.last_name = last_name.strip()
    details.first_name = first_name.strip()
    details.patronymic = patronymic.strip()
    details.registration_address = registration_address
    details.registration_address_text = registration_address_text.strip()
    details.set_passport(_clean_passport(passport or Passport(), timezone.localdate()))
    details.save()
    _check_allowed(details, actor, "change")
    log.info("individual.saved", customer_id=customer.pk)
    return details


def read_passport(*, customer: Customer, actor: Any) -> Passport | None:
    """The decrypted passport, or None when ``actor`` may not view passports."""
    details = IndividualDetails.objects.restrict(actor, "view").filter(customer=customer).first()
    return details.passport if details is not None else None


def check_branch_dates(customer: Customer, legal_entity: LegalEntity) -> None:
    """The customer's contracts must start on the legal entity's contract start."""
    from lastmile.contracts.models import Contract, ContractKind, ContractState

    main = (
        Contract.objects.filter(legal_entity=legal_entity, kind=ContractKind.MAIN)
        .exclude(state=ContractState.TERMINATED)
        .order_by("starts_on")
        .first()
    )
    if main is None:
        raise DatesMismatch(
            _("%(entity)s has no live main contract: add it before its branches.")
            % {"entity": legal_entity.short_name},
            field="legal_entity",
        )
    for contract in Contract.objects.filter(customer=customer).exclude(
        state=ContractState.TERMINATED
    ):
        if contract.starts_on != main.starts_on:
            raise DatesMismatch(
                _(
                    "Contract %(number)s starts on %(start)s, but the contract of "
                    "%(entity)s starts on %(entity_start)s: a branch's contracts must "
                    "start on the same day."
                )
                % {
                    "number": contract.number,
                    "start": contract.starts_on.strftime("%d.%m.%Y"),
                    "entity": legal_entity.short_name,
                    "entity_start": main.starts_on.strftime("%d.%m.%Y"),
                },
                field="legal_entity",
            )


@transaction.atomic
def attach_branch(
    *, customer: Customer, legal_entity: LegalEntity, name: str = "", actor: Any = None
) -> Branch:
    """Make the customer account a branch of ``legal_entity`` (one legal entity only).

    The contract dates must match the legal entity's; the database refuses a
    second legal entity for the same customer."""
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    existing = Branch.objects.filter(customer=customer).select_related("legal_entity").first()
    if existing is not None and existing.legal_entity_id != legal_entity.pk:
        raise AlreadyExists(
            _("This customer is already a branch of %(entity)s.")
            % {"entity": existing.legal_entity.short_name},
            field="legal_entity",
        )
    check_branch_dates(customer, legal_entity)
    branch = existing or Branch(customer=customer, legal_entity=legal_entity)
    branch.name = name.strip()
    branch.save()
    _check_allowed(branch, actor, "add" if existing is None else "change")
    # The account now belongs to an organisation (kind is the customers app's
    # field; this is the one write parties makes to it).
    Customer.objects.filter(pk=customer.pk).update(kind=legal_entity.kind)
    log.info("branch.attached", customer_id=customer.pk, legal_entity_id=legal_entity.pk)
    return branch
