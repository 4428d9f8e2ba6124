"""Checks and canonical forms of customer data (used by the services only).

Every check raises a customers domain error whose text tells the user what
is wrong and what would be right.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from lastmile.customers.errors import InvalidExtraValue, InvalidValue
from lastmile.customers.models import ExtraField

# PPPoE user names: what every NAS accepts without quoting.
_LOGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{3,32}$")
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def clean_login(value: str) -> str:
    login = (value or "").strip()
    if not _LOGIN.match(login):
        raise InvalidValue(
            _(
                "The login must be 1-64 characters: Latin letters, digits and . _ @ - "
                "(starting with a letter or digit)."
            ),
            field="login",
        )
    return login


def clean_contract_number(value: str) -> str:
    number = (value or "").strip()
    if not number or len(number) > 64:
        raise InvalidValue(
            _("The contract number must be 1-64 characters long."), field="contract_number"
        )
    return number


def clean_phones(values: Iterable[str]) -> list[str]:
    phones = []
    for raw in values:
        phone = raw.strip()
        if not phone:
            continue
        if not _PHONE.match(phone):
            raise InvalidValue(
                _("“%(phone)s” is not a phone number (digits, spaces, + ( ) - allowed).")
                % {"phone": phone},
                field="phones",
            )
        if phone not in phones:
            phones.append(phone)
    return phones


def clean_email(value: str) -> str:
    email = (value or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise InvalidValue(
                _("“%(email)s” is not an e-mail address.") % {"email": email}, field="email"
            ) from exc
    return email


def clean_pppoe_secret(value: str) -> str:
    if not value or len(value) > 128 or not value.isprintable() or any(c.isspace() for c in value):
        raise InvalidValue(
            _("The PPPoE password must be 1-128 printable characters without spaces."),
            field="pppoe_password",
        )
    return value


def clean_choices(kind: str, choices: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for choice in choices:
        text = choice.strip()
        if text and text not in cleaned:
            cleaned.append(text)
    if kind == ExtraField.Kind.CHOICE and not cleaned:
        raise InvalidValue(_("A choice field needs at least one choice."), field="choices")
    if kind != ExtraField.Kind.CHOICE and cleaned:
        raise InvalidValue(_("Only a choice field has choices."), field="choices")
    return cleaned


def clean_extra_value(field: ExtraField, raw: str) -> str:
    """The canonical text of ``raw`` for ``field`` ("" = no value).

    Numbers become plain decimals ("1,50" → "1.50"), dates ISO 8601
    (DD.MM.YYYY is accepted too), choices must be one of the field's choices.
    """
    text = (raw or "").strip()
    if not text:
        if field.is_required:
            raise InvalidExtraValue(
                _("“%(field)s” is required.") % {"field": field.name}, field_id=field.pk
            )
        return ""
    if field.kind == ExtraField.Kind.NUMBER:
        return _clean_number(field, text)
    if field.kind == ExtraField.Kind.DATE:
        return _clean_date(field, text)
    if field.kind == ExtraField.Kind.CHOICE and text not in field.choices:
        raise InvalidExtraValue(
            _("“%(value)s” is not a choice of “%(field)s”; choose one of: %(choices)s.")
            % {"value": text, "field": field.name, "choices": ", ".join(field.choices)},
            field_id=field.pk,
        )
    return text


def _clean_number(field: ExtraField, text: str) -> str:
    try:
        number = Decimal(text.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise InvalidExtraValue(
            _("“%(field)s” must be a number, such as 42 or 3.5 (got “%(value)s”).")
            % {"field": field.name, "value": text},
            field_id=field.pk,
        )
    return format(number, "f")


def _clean_date(field: ExtraField, text: str) -> str:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise InvalidExtraValue(
        _("“%(field)s” must be a date as YYYY-MM-DD or DD.MM.YYYY (got “%(value)s”).")
        % {"field": field.name, "value": text},
        field_id=field.pk,
    )
